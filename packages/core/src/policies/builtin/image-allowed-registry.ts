/** Built-in policy: the container image comes from one of `registries` (hosts as in `ghcr.io`, `index.docker.io`). */
export const imageAllowedRegistry = `apiVersion: chainloop.dev/v1
kind: Policy
metadata:
  name: image-allowed-registry
  description: The container image comes from an allowed registry
  annotations:
    category: images
spec:
  inputs:
    - name: registries
      description: Allowed registry hosts, comma- or newline-separated (Docker Hub is index.docker.io)
      required: true
  policies:
    - kind: CONTAINER_IMAGE
      cel:
        rules:
          - name: allowed-registry
            expression: >-
              input.registry in values(args.registries)
            messageExpression: >-
              "image " + input.name + " comes from " +
              (input.registry == "" ? "no registry" : input.registry) +
              ", not from an allowed registry (" + values(args.registries).join(", ") + ")"
`;
