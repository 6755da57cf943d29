/** Built-in policy: the SBOM lists at least `min_components` components (CycloneDX) or packages (SPDX). */
export const sbomMinComponents = `apiVersion: chainloop.dev/v1
kind: Policy
metadata:
  name: sbom-min-components
  description: The SBOM lists at least min_components components (CycloneDX) or packages (SPDX)
  annotations:
    category: sbom
spec:
  inputs:
    - name: min_components
      description: The fewest components the SBOM may list
      default: "1"
  policies:
    - kind: SBOM_CYCLONEDX_JSON
      cel:
        rules:
          - name: enough-components
            expression: >-
              size(has(input.components) ? input.components : []) >= int(args.min_components)
            messageExpression: >-
              "the SBOM lists " + string(size(has(input.components) ? input.components : [])) +
              " components, fewer than " + args.min_components
    - kind: SBOM_SPDX_JSON
      cel:
        rules:
          - name: enough-packages
            expression: >-
              size(has(input.packages) ? input.packages : []) >= int(args.min_components)
            messageExpression: >-
              "the SBOM lists " + string(size(has(input.packages) ? input.packages : [])) +
              " packages, fewer than " + args.min_components
`;
