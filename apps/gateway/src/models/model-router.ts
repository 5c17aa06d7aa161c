import type { Deployment } from './model-config';

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

  resolve(model: string): { deployment: Deployment; upstreamModel: string } | null {
    const exact = this.byName.get(model);
    if (exact?.length) {
      const deployment = this.next(model, exact);
      return { deployment, upstreamModel: deployment.upstreamModel };
    }
    for (const w of this.wildcards) {
      if (model.startsWith(w.prefix)) {
        const d = this.next(w.prefix, w.deployments);
        // `openai/*` forwards `openai/gpt-4o` as `gpt-4o`.
        return { deployment: d, upstreamModel: model.slice(model.indexOf('/') + 1) };
      }
    }
    return null;
  }

  private next(name: string, list: Deployment[]): Deployment {
    const i = this.cursor.get(name) ?? 0;
    this.cursor.set(name, (i + 1) % list.length);
    return list[i % list.length] as Deployment;
  }
}
