import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { EngineErrorWithSetting } from '../errorDescription';

const EXAMPLE = 'e.g. http://localhost:8000/v1 for vLLM or http://localhost:11434/v1 for Ollama';

/**
 * hearth.engine.url as the OpenAI client's base URL: trailing slashes dropped, and `/v1` added to a URL with no
 * path (users paste a server's address as often as its API root). A missing or malformed URL says what to set.
 */
export function remoteBaseUrl(setting: string): string {
  const text = setting.trim();
  if (text === '') {
    throw new EngineErrorWithSetting(
      new EngineError(
        EngineErrorCode.RemoteUnreachable,
        'hearth.engine.kind is "remote" but hearth.engine.url is empty: there is no model server to ask.',
        `Set hearth.engine.url to the server's OpenAI-compatible base URL (${EXAMPLE}).`,
      ),
      'hearth.engine.url',
    );
  }
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new EngineErrorWithSetting(
      new EngineError(
        EngineErrorCode.RemoteUnreachable,
        `hearth.engine.url "${text}" is not an http:// or https:// URL.`,
        `Set it to the server's OpenAI-compatible base URL (${EXAMPLE}).`,
      ),
      'hearth.engine.url',
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path === '' ? '/v1' : path}`;
}

/** The server as the status bar and chat header name it: host and port. */
export function serverHost(baseUrl: string): string {
  return new URL(baseUrl).host;
}
