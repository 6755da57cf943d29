/**
 * Built-in policy: no component of the SBOM is licensed under one of `licenses` (SPDX identifiers or names). Licence
 * expressions are split into words, so `MIT OR GPL-3.0-only` is banned when GPL-3.0-only is.
 */
export const sbomBannedLicenses = `apiVersion: chainloop.dev/v1
kind: Policy
metadata:
  name: sbom-banned-licenses
  description: No component of the SBOM is licensed under a banned licence
  annotations:
    category: sbom
spec:
  inputs:
    - name: licenses
      description: Banned licences, comma- or newline-separated SPDX identifiers (or names)
      required: true
  policies:
    - kind: SBOM_CYCLONEDX_JSON
      cel:
        rules:
          - name: no-banned-license
            violations: >-
              cel.bind(banned, values(args.licenses),
                (has(input.components) ? input.components : [])
                  .map(c, {
                    "component": c.name + (has(c.version) ? "@" + c.version : ""),
                    "licenses": (has(c.licenses) ? c.licenses : []).map(l,
                      has(l.expression) ? l.expression
                      : has(l.license) && has(l.license.id) ? l.license.id
                      : has(l.license) && has(l.license.name) ? l.license.name : "")
                  })
                  .filter(c, c.licenses.exists(e, e.split(" ").exists(w,
                    banned.exists(b, w == b || w == "(" + b || w == b + ")" || w == "(" + b + ")"))))
                  .map(c, {"subject": c.component,
                    "message": "component " + c.component + " is licensed under " + c.licenses.join(", ") +
                      ", which is banned (" + banned.join(", ") + ")"}))
    - kind: SBOM_SPDX_JSON
      cel:
        rules:
          - name: no-banned-license
            violations: >-
              cel.bind(banned, values(args.licenses),
                (has(input.packages) ? input.packages : [])
                  .map(p, {
                    "component": p.name + (has(p.versionInfo) ? "@" + p.versionInfo : ""),
                    "licenses": [has(p.licenseConcluded) ? p.licenseConcluded : "",
                                 has(p.licenseDeclared) ? p.licenseDeclared : ""].filter(e, e != "")
                  })
                  .filter(p, p.licenses.exists(e, e.split(" ").exists(w,
                    banned.exists(b, w == b || w == "(" + b || w == b + ")" || w == "(" + b + ")"))))
                  .map(p, {"subject": p.component,
                    "message": "package " + p.component + " is licensed under " + p.licenses.join(", ") +
                      ", which is banned (" + banned.join(", ") + ")"}))
`;
