import type { Deployment } from './model-config';

/** USD per token for common OpenAI models, used when config.yaml gives no price (LiteLLM's price map). */
const DEFAULT_PRICES: Record<string, { input: number; output: number }> = {
  'gpt-4o': { input: 2.5e-6, output: 1e-5 },
  'gpt-4o-mini': { input: 1.5e-7, output: 6e-7 },
  'gpt-4.1': { input: 2e-6, output: 8e-6 },
  'gpt-4.1-mini': { input: 4e-7, output: 1.6e-6 },
  'gpt-4.1-nano': { input: 1e-7, output: 4e-7 },
  'gpt-4-turbo': { input: 1e-5, output: 3e-5 },
  'gpt-4': { input: 3e-5, output: 6e-5 },
  'gpt-3.5-turbo': { input: 5e-7, output: 1.5e-6 },
  o1: { input: 1.5e-5, output: 6e-5 },
  'o1-mini': { input: 1.1e-6, output: 4.4e-6 },
  'o3-mini': { input: 1.1e-6, output: 4.4e-6 },
  'text-embedding-3-small': { input: 2e-8, output: 0 },
  'text-embedding-3-large': { input: 1.3e-7, output: 0 },
  'text-embedding-ada-002': { input: 1e-7, output: 0 },
};

export interface Prices {
  input: number;
  output: number;
}

/** The deployment's configured prices, else the built-in price of its upstream model, else free. */
export function pricesFor(d: Deployment, upstreamModel: string): Prices {
  const builtIn = DEFAULT_PRICES[upstreamModel] ?? DEFAULT_PRICES[d.upstreamModel];
  return {
    input: d.inputCostPerToken ?? builtIn?.input ?? 0,
    output: d.outputCostPerToken ?? builtIn?.output ?? 0,
  };
}

export const costOf = (p: Prices, promptTokens: number, completionTokens: number) =>
  promptTokens * p.input + completionTokens * p.output;
