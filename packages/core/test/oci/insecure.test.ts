import '../hang-guard';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInsecureRegistry, parseInsecureRegistries, registryBaseUrl } from '../../src/oci/insecure';

describe('plain HTTP only for loopback and listed registries', () => {
  it('allows localhost, 127.0.0.1 and [::1] with any port', () => {
    for (const host of ['localhost', 'localhost:5000', '127.0.0.1', '127.0.0.1:41234', '[::1]:5000']) {
      assert.equal(isInsecureRegistry(host), true, host);
    }
  });

  it('refuses every other registry unless it is listed by host or host:port', () => {
    assert.equal(isInsecureRegistry('ghcr.io'), false);
    assert.equal(isInsecureRegistry('127.0.0.2:5000'), false);
    assert.equal(isInsecureRegistry('localhost.example.com'), false);
    assert.equal(isInsecureRegistry('registry.lan:5000', ['registry.lan:5000']), true);
    assert.equal(isInsecureRegistry('registry.lan:5000', ['registry.lan']), true);
    assert.equal(isInsecureRegistry('registry.lan:5000', ['registry.lan:6000']), false);
    assert.equal(isInsecureRegistry('registry.lan', ['http://registry.lan/']), true);
  });

  it('reads CHAINLOOP_INSECURE_REGISTRIES as a comma or space separated list', () => {
    assert.deepEqual(parseInsecureRegistries(' a:5000, b ,c  d,'), ['a:5000', 'b', 'c', 'd']);
    assert.deepEqual(parseInsecureRegistries(undefined), []);
  });

  it('builds the API base URL with the scheme', () => {
    assert.equal(registryBaseUrl('127.0.0.1:5000', true), 'http://127.0.0.1:5000');
    assert.equal(registryBaseUrl('ghcr.io', false), 'https://ghcr.io');
  });
});
