/**
 * Built-in policy: the annotations named in `names` are present and not empty, on the material it is attached to
 * (by selector) or, attached under `attestation`, on the attestation.
 */
export const requiredAnnotations = `apiVersion: chainloop.dev/v1
kind: Policy
metadata:
  name: required-annotations
  description: The named annotations are present and not empty
  annotations:
    category: metadata
spec:
  inputs:
    - name: names
      description: Annotation names that must be set, comma- or newline-separated
      required: true
  policies:
    - cel:
        rules:
          - name: annotations-present
            violations: >-
              cel.bind(present, has(material.name) ? material.annotations
                : has(predicate.annotations) ? predicate.annotations : {},
                values(args.names).filter(n, !(n in present) || string(present[n]) == "")
                  .map(n, {"subject": n,
                    "message": (has(material.name) ? "material " + material.name : "the attestation") +
                      " has no annotation " + n}))
`;
