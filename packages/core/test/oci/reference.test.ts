import '../hang-guard';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatImageReference, parseImageReference } from '../../src/oci/reference';

const DIGEST = 'sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b';

describe('parseImageReference (docker rules)', () => {
  const cases: [string, { name: string; registry: string; repository: string; tag?: string; digest?: string }][] = [
    [
      'nginx',
      {
        name: 'index.docker.io/library/nginx',
        registry: 'index.docker.io',
        repository: 'library/nginx',
        tag: 'latest',
      },
    ],
    [
      'bitnami/nginx:1.25',
      { name: 'index.docker.io/bitnami/nginx', registry: 'index.docker.io', repository: 'bitnami/nginx', tag: '1.25' },
    ],
    [
      'docker.io/nginx',
      {
        name: 'index.docker.io/library/nginx',
        registry: 'index.docker.io',
        repository: 'library/nginx',
        tag: 'latest',
      },
    ],
    [
      'registry-1.docker.io/org/app:v1',
      { name: 'index.docker.io/org/app', registry: 'index.docker.io', repository: 'org/app', tag: 'v1' },
    ],
    ['host:5000/a/b:tag', { name: 'host:5000/a/b', registry: 'host:5000', repository: 'a/b', tag: 'tag' }],
    ['host:5000/a/b', { name: 'host:5000/a/b', registry: 'host:5000', repository: 'a/b', tag: 'latest' }],
    ['localhost/app', { name: 'localhost/app', registry: 'localhost', repository: 'app', tag: 'latest' }],
    [
      'ghcr.io/chainloop-dev/chainloop/control-plane@' + DIGEST,
      {
        name: 'ghcr.io/chainloop-dev/chainloop/control-plane',
        registry: 'ghcr.io',
        repository: 'chainloop-dev/chainloop/control-plane',
        digest: DIGEST,
      },
    ],
    [
      `127.0.0.1:5000/app:v1@${DIGEST}`,
      { name: '127.0.0.1:5000/app', registry: '127.0.0.1:5000', repository: 'app', tag: 'v1', digest: DIGEST },
    ],
    ['[::1]:5000/app:v1', { name: '[::1]:5000/app', registry: '[::1]:5000', repository: 'app', tag: 'v1' }],
    [
      'a.b/c__d/e-f.g_h:V_1.0-rc',
      { name: 'a.b/c__d/e-f.g_h', registry: 'a.b', repository: 'c__d/e-f.g_h', tag: 'V_1.0-rc' },
    ],
  ];
  for (const [value, expected] of cases) {
    it(`${value} → ${formatImageReference({ ...expected })}`, () => {
      const ref = parseImageReference(value);
      assert.deepEqual({ ...ref }, { tag: undefined, digest: undefined, ...expected });
    });
  }

  const invalid: [string, RegExp][] = [
    ['', /it is empty/],
    ['Nginx', /must be lower case/],
    ['ghcr.io/Org/app', /must be lower case/],
    ['app:-bad', /tag "-bad"/],
    [`app@sha256:${'a'.repeat(63)}`, /64 lower-case hex/],
    ['app@latest', /digest "latest"/],
    ['https://ghcr.io/org/app', /URL scheme/],
    ['ghcr.io/org//app', /empty path component/],
    ['ghcr.io/org/app/', /empty path component/],
    ['ghcr.io/', /repository name is missing/],
    ['host:port/app', /invalid port/],
    ['my_host.io:5000/app', /not a valid host name/],
    ['app name', /white space/],
    ['a___b', /single separators/],
    ['org/a..b', /single separators/],
    [`ghcr.io/${'a'.repeat(260)}`, /longer than 255/],
  ];
  for (const [value, reason] of invalid) {
    it(`refuses ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)} with the reason`, () => {
      assert.throws(
        () => parseImageReference(value),
        (error: Error & { code?: string; exitCode?: number }) => {
          assert.equal(error.code, 'IMAGE_REFERENCE_INVALID');
          assert.equal(error.exitCode, 2);
          assert.match(error.message, reason);
          assert.match(error.message, /^invalid image reference ".*": .* \(expected \[registry\[:port\]\/\]repository/);
          assert.doesNotMatch(error.message, /\n/);
          return true;
        },
      );
    });
  }
});
