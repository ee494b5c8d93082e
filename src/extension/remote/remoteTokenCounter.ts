import OpenAI from 'openai';
import type { RemoteServer } from './remoteChat';
import { remoteError } from './remoteErrors';

/**
 * Token counts with a remote server's own tokenizer, through POST /tokenize: vLLM, SGLang and hearth serve read
 * `prompt`, llama.cpp's server `content`, so both are sent. `count` is undefined when the server has no such route.
 */
export class RemoteTokenCounter {
  private readonly client: OpenAI;
  /** Learned from the first 404: servers without /tokenize are not asked again. */
  private unsupported = false;

  constructor(private readonly server: RemoteServer) {
    // /tokenize sits beside /v1, not under it.
    const root = server.baseUrl.replace(/\/v1\/?$/, '');
    this.client = new OpenAI({ baseURL: root, apiKey: server.apiKey ?? 'none', maxRetries: 0 });
  }

  async count(text: string, signal: AbortSignal): Promise<number | undefined> {
    if (this.unsupported) return undefined;
    try {
      const answer = await this.client.post<{ count?: unknown; tokens?: unknown }>('/tokenize', {
        body: { model: this.server.model, prompt: text, content: text, add_special: false },
        signal,
      });
      const count =
        typeof answer.count === 'number' ? answer.count : Array.isArray(answer.tokens) ? answer.tokens.length : -1;
      // A server that read none of the text (another field name) answers 0: its count cannot be trusted.
      if (count > 0 || text === '') return count;
      this.unsupported = true;
      return undefined;
    } catch (error) {
      if (error instanceof OpenAI.NotFoundError && error.code !== 'model_not_found') {
        this.unsupported = true;
        return undefined;
      }
      throw remoteError(error, { baseUrl: this.server.baseUrl, model: this.server.model });
    }
  }
}
