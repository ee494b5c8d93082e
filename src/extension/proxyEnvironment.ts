/** VS Code's proxy settings, as the engine process receives them. */
export interface ProxySettings {
  /** http.proxy: the proxy's URL, or empty for none. */
  proxy: string | undefined;
  /** http.proxyStrictSSL: whether TLS through the proxy is verified (default true). */
  proxyStrictSSL: boolean | undefined;
  /** http.noProxy: hosts reached directly. */
  noProxy: readonly string[] | undefined;
}

/**
 * Environment variables that give the engine VS Code's proxy settings (the engine reads them as curl does,
 * see engine/library/proxyDispatcher.ts; the upper-case names win there). Unset settings add nothing: the
 * variables VS Code itself was started with still apply.
 */
export function proxyEnvironment(settings: ProxySettings): Record<string, string> {
  const env: Record<string, string> = {};
  const proxy = settings.proxy?.trim();
  if (proxy) Object.assign(env, { HTTPS_PROXY: proxy, HTTP_PROXY: proxy });
  const noProxy = (settings.noProxy ?? []).map((host) => host.trim()).filter((host) => host !== '');
  if (noProxy.length > 0) env.NO_PROXY = noProxy.join(',');
  if (settings.proxyStrictSSL === false) env.HEARTH_PROXY_STRICT_SSL = 'false';
  return env;
}
