/**
 * The proxy the Hub requests go through, from the environment as curl and huggingface_hub read it:
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case). The extension sets them from VS Code's http.proxy,
 * http.noProxy and http.proxyStrictSSL (HEARTH_PROXY_STRICT_SSL=false: a proxy that re-signs TLS is trusted).
 */
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';

/** A dispatcher that proxies as the environment says, or undefined when it names no proxy. */
export function proxyDispatcher(env: NodeJS.ProcessEnv = process.env): Dispatcher | undefined {
  const httpProxy = env.HTTP_PROXY || env.http_proxy || undefined;
  const httpsProxy = env.HTTPS_PROXY || env.https_proxy || undefined;
  if (httpProxy === undefined && httpsProxy === undefined) return undefined;
  const strictSSL = env.HEARTH_PROXY_STRICT_SSL !== 'false';
  // Empty rather than undefined: undici would read process.env instead of `env`.
  return new EnvHttpProxyAgent({
    httpProxy: httpProxy ?? '',
    httpsProxy: httpsProxy ?? '',
    noProxy: env.NO_PROXY ?? env.no_proxy ?? '',
    ...(!strictSSL && { requestTls: { rejectUnauthorized: false }, proxyTls: { rejectUnauthorized: false } }),
  });
}
