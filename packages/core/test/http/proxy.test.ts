/**
 * Which proxy a URL goes through, from the environment, as curl decides it: the scheme's own variable (lowercase first),
 * NO_PROXY entries as hosts and domain suffixes (with or without a leading dot), host:port, IP and CIDR, and `*`;
 * loopback is proxied unless listed. The requests themselves run through a real proxy in e2e/proxy.test.ts.
 */
import '../hang-guard';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noProxyMatches, proxyFor } from '../../src/http/proxy';

test('the scheme picks the variable; the lowercase name wins; empty values count as unset', { timeout: 5_000 }, () => {
  const env = { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128', HTTP_PROXY: 'http://plain:8080' };
  assert.equal(proxyFor(new URL('https://cp.example.com/v1'), env)?.shown, 'http://lower:3128');
  assert.equal(proxyFor(new URL('https://cp.example.com/v1'), env)?.variable, 'https_proxy');
  assert.equal(proxyFor(new URL('http://cp.example.com/v1'), env)?.shown, 'http://plain:8080');
  assert.equal(proxyFor(new URL('http://cp.example.com/v1'), { HTTPS_PROXY: 'http://p:1' }), undefined);
  assert.equal(
    proxyFor(new URL('https://cp.example.com/v1'), { https_proxy: '', HTTPS_PROXY: 'http://p:1' })?.shown,
    'http://p:1',
  );
  assert.equal(proxyFor(new URL('https://cp.example.com/v1'), {}), undefined);
  // No scheme means http://, as for curl.
  assert.equal(
    proxyFor(new URL('https://cp.example.com'), { HTTPS_PROXY: 'proxy.corp:3128' })?.shown,
    'http://proxy.corp:3128',
  );
});

test('credentials stay out of what is shown; a value that is not a URL is refused without repeating it', {
  timeout: 5_000,
}, () => {
  const route = proxyFor(new URL('https://cp.example.com'), { HTTPS_PROXY: 'http://ci:s3cret@proxy.corp:3128' });
  assert.equal(route?.shown, 'http://proxy.corp:3128');
  assert.throws(
    () => proxyFor(new URL('https://cp.example.com'), { HTTPS_PROXY: 'http://ci:s3cret@[bad' }),
    (error: Error) => {
      assert.equal(
        error.message,
        'HTTPS_PROXY is not a proxy URL: set it to http://host:port (or http://user:password@host:port), or unset it',
      );
      return true;
    },
  );
  assert.throws(
    () => proxyFor(new URL('https://cp.example.com'), { HTTPS_PROXY: 'socks5://proxy.corp:1080' }),
    /only to http:\/\/ and https:\/\/ proxies/,
  );
});

test('NO_PROXY as curl reads it', { timeout: 5_000 }, () => {
  const cases: [string, string, number, boolean][] = [
    ['example.com', 'example.com', 443, true],
    ['example.com', 'cp.example.com', 443, true],
    ['.example.com', 'cp.example.com', 443, true],
    ['.example.com', 'example.com', 443, true],
    ['*.example.com', 'cp.example.com', 443, true],
    ['example.com', 'badexample.com', 443, false],
    ['EXAMPLE.com.', 'cp.example.COM', 443, true],
    ['example.com:8443', 'cp.example.com', 8443, true],
    ['example.com:8443', 'cp.example.com', 443, false],
    ['other.org, example.com', 'cp.example.com', 443, true],
    ['other.org example.com', 'cp.example.com', 443, true],
    ['*', 'anything.at.all', 80, true],
    ['127.0.0.1', '127.0.0.1', 8000, true],
    ['127.0.0.1', '127.0.0.10', 8000, false],
    ['10.0.0.0/8', '10.2.3.4', 443, true],
    ['10.0.0.0/8', '11.2.3.4', 443, false],
    ['::1', '[::1]', 8000, true],
    ['[::1]:8000', '[::1]', 8000, true],
    ['[::1]:8000', '[::1]', 9000, false],
    // Loopback is proxied unless listed: localhost does not exempt 127.0.0.1.
    ['localhost', '127.0.0.1', 8000, false],
    ['', 'example.com', 443, false],
  ];
  for (const [noProxy, host, port, exempt] of cases) {
    assert.equal(noProxyMatches(noProxy, host, port), exempt, `NO_PROXY=${JSON.stringify(noProxy)} ${host}:${port}`);
  }
  const env = { HTTPS_PROXY: 'http://p:1', no_proxy: 'example.com', NO_PROXY: 'other.org' };
  assert.equal(proxyFor(new URL('https://cp.example.com'), env), undefined, 'no_proxy (lowercase) wins');
  assert.equal(proxyFor(new URL('https://other.org'), env)?.noProxyVariable, 'no_proxy');
  assert.equal(proxyFor(new URL('https://127.0.0.1:8443'), { HTTPS_PROXY: 'http://p:1' })?.shown, 'http://p:1');
});
