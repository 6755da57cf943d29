import type { FastifyInstance } from 'fastify';
import { CLI_BUNDLE_NAME } from '../downloads/cli-bundle';
import type { ServerContext } from '../http/context';
import { errorSchema } from '../http/schemas';

/**
 * The CLI of this control plane's version, for CI jobs that run it with their own `node`: the GitLab component and
 * the CircleCI orb fetch it here, so no registry is involved and the CLI always matches its server. Public: it is the
 * same file every release publishes, and a job has to fetch it before it can present a token.
 */
export function registerDownloadRoutes(app: FastifyInstance, context: ServerContext): void {
  const binary = { description: 'the single-file CLI', content: { 'application/javascript': { schema: {} } } };
  app.get(
    `/v1/downloads/${CLI_BUNDLE_NAME}`,
    {
      config: { access: 'public' },
      schema: {
        summary: "The single-file CLI of this control plane's version (run it with node 20.19 or newer)",
        tags: ['downloads'],
        response: { 200: binary, 404: errorSchema, 503: errorSchema },
      },
    },
    async (_request, reply) => {
      const bundle = await context.cliBundle.load();
      reply
        .header('content-type', 'application/javascript; charset=utf-8')
        .header('content-disposition', `attachment; filename="${CLI_BUNDLE_NAME}"`)
        .header('x-checksum-sha256', bundle.sha256);
      return bundle.bytes;
    },
  );
  app.get(
    `/v1/downloads/${CLI_BUNDLE_NAME}.sha256`,
    {
      config: { access: 'public' },
      schema: {
        summary: 'The SHA-256 of the CLI, as a sha256sum line (check with sha256sum -c)',
        tags: ['downloads'],
        response: {
          200: { description: 'one sha256sum line', content: { 'text/plain': { schema: { type: 'string' } } } },
          404: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (_request, reply) => {
      const bundle = await context.cliBundle.load();
      reply.header('content-type', 'text/plain; charset=utf-8');
      return `${bundle.sha256}  ${CLI_BUNDLE_NAME}\n`;
    },
  );
}
