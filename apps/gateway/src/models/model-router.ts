import type { Deployment } from './model-config';

export interface Route {
  deployment: Deployment;
  upstreamModel: string;
}

/**
 * Picks the deployment for a requested model name: exact `model_name`, then wildcard entries
 * (`openai/*`), round-robin across several deployments of one name.
 */
export class ModelRouter {
  private readonly byName = new Map<string, Deployment[]>();
  private readonly wildcards: { prefix: string; deployments: Deployment[] }[] = [];
  private readonly cursor = new Map<string, number>();

  constructor(readonly deployments: Deployment[]) {
    for (const d of deployments) {
      if (d.modelName.endsWith('*')) {
        const prefix = d.modelName.slice(0, -1);
        const existing = this.wildcards.find((w) => w.prefix === prefix);
        if (existing) existing.deployments.push(d);
        else this.wildcards.push({ prefix, deployments: [d] });
        continue;
      }
      const list = this.byName.get(d.modelName) ?? [];
      list.push(d);
      this.byName.set(d.modelName, list);
    }
    // Longest prefix wins.
    this.wildcards.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** Public model names (wildcards excluded), in config order. */
  modelNames(): string[] {
    return [...this.byName.keys()];
  }

  resolve(model: string): Route | null {
    return this.candidates(model)?.[0] ?? null;
  }

  /**
   * Every deployment that can serve `model`, starting with the round-robin pick; the rest, in order, are
   * where a call goes when the first one cannot be reached.
   */
  candidates(model: string): Route[] | null {
    const exact = this.byName.get(model);
    if (exact?.length)
      return this.rotate(model, exact).map((d) => ({ deployment: d, upstreamModel: d.upstreamModel }));
    for (const w of this.wildcards) {
      if (model.startsWith(w.prefix)) {
        // `openai/*` forwards `openai/gpt-4o` as `gpt-4o`.
        const upstreamModel = model.slice(model.indexOf('/') + 1);
        return this.rotate(w.prefix, w.deployments).map((d) => ({ deployment: d, upstreamModel }));
      }
    }
    return null;
  }

  private rotate(name: string, list: Deployment[]): Deployment[] {
    const i = (this.cursor.get(name) ?? 0) % list.length;
    this.cursor.set(name, (i + 1) % list.length);
    return i === 0 ? list : [...list.slice(i), ...list.slice(0, i)];
  }
}
