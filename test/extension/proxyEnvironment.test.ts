import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proxyEnvironment } from '../../src/extension/proxyEnvironment';

describe('proxyEnvironment', () => {
  it('gives http.proxy as HTTPS_PROXY and HTTP_PROXY, http.noProxy as NO_PROXY, strict SSL off as a flag', () => {
    assert.deepEqual(
      proxyEnvironment({
        proxy: ' http://proxy.corp:3128 ',
        proxyStrictSSL: false,
        noProxy: ['localhost', ' .corp ', ''],
      }),
      {
        HTTPS_PROXY: 'http://proxy.corp:3128',
        HTTP_PROXY: 'http://proxy.corp:3128',
        NO_PROXY: 'localhost,.corp',
        HEARTH_PROXY_STRICT_SSL: 'false',
      },
    );
  });

  it('adds nothing for settings left at their defaults', () => {
    assert.deepEqual(proxyEnvironment({ proxy: '', proxyStrictSSL: true, noProxy: [] }), {});
    assert.deepEqual(proxyEnvironment({ proxy: undefined, proxyStrictSSL: undefined, noProxy: undefined }), {});
  });
});
