import type { Deployment } from './model-config';
import { ModelRouter } from './model-router';

function deployment(modelName: string, upstreamModel: string, id: string): Deployment {
  return {
    modelName,
    upstreamModel,
    id,
    apiBase: `http://${id}.local/v1`,
    apiKey: null,
    rpm: null,
    tpm: null,
    inputCostPerToken: null,
    outputCostPerToken: null,
    publicParams: { model: upstreamModel },
  };
}

const gpt4oA = deployment('gpt-4o', 'gpt-4o-2024-08-06', 'a');
const gpt4oB = deployment('gpt-4o', 'gpt-4o-2024-11-20', 'b');
const gpt4oC = deployment('gpt-4o', 'gpt-4o-azure', 'c');
const mini = deployment('gpt-4o-mini', 'gpt-4o-mini', 'mini');
const openaiWild = deployment('openai/*', '*', 'openai-wild');
const openaiOWild = deployment('openai/o*', 'o*', 'openai-o-wild');
const catchAll = deployment('*', '*', 'catch-all');

describe('ModelRouter', () => {
  test('when a name has one deployment, then it is always returned with its upstream model', () => {
    const router = new ModelRouter([mini, gpt4oA]);

    expect(router.resolve('gpt-4o-mini')).toEqual({ deployment: mini, upstreamModel: 'gpt-4o-mini' });
    expect(router.resolve('gpt-4o-mini')).toEqual({ deployment: mini, upstreamModel: 'gpt-4o-mini' });
  });

  test('when a name has several deployments, then calls go round-robin in config order', () => {
    const router = new ModelRouter([gpt4oA, mini, gpt4oB, gpt4oC]);

    const picked = Array.from({ length: 7 }, () => router.resolve('gpt-4o')?.deployment.id);

    expect(picked).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
  });

  test('when round-robin picks a deployment, then the upstream model is that deployment’s own', () => {
    const router = new ModelRouter([gpt4oA, gpt4oB]);

    expect(router.resolve('gpt-4o')).toEqual({ deployment: gpt4oA, upstreamModel: 'gpt-4o-2024-08-06' });
    expect(router.resolve('gpt-4o')).toEqual({ deployment: gpt4oB, upstreamModel: 'gpt-4o-2024-11-20' });
    expect(router.resolve('gpt-4o')).toEqual({ deployment: gpt4oA, upstreamModel: 'gpt-4o-2024-08-06' });
  });

  test('when two names are resolved in turn, then each has its own round-robin cursor', () => {
    const miniB = deployment('gpt-4o-mini', 'gpt-4o-mini', 'mini-b');
    const router = new ModelRouter([gpt4oA, gpt4oB, mini, miniB]);

    const picked = [
      router.resolve('gpt-4o')?.deployment.id,
      router.resolve('gpt-4o-mini')?.deployment.id,
      router.resolve('gpt-4o')?.deployment.id,
      router.resolve('gpt-4o-mini')?.deployment.id,
    ];

    expect(picked).toEqual(['a', 'mini', 'b', 'mini-b']);
  });

  test('when an exact name and a wildcard both match, then the exact name wins', () => {
    const exact = deployment('openai/gpt-4o', 'gpt-4o', 'exact');
    const router = new ModelRouter([openaiWild, exact]);

    expect(router.resolve('openai/gpt-4o')).toEqual({ deployment: exact, upstreamModel: 'gpt-4o' });
  });

  test('when only a wildcard matches, then the provider prefix is stripped from the requested model', () => {
    const router = new ModelRouter([openaiWild]);

    expect(router.resolve('openai/gpt-4.1')).toEqual({ deployment: openaiWild, upstreamModel: 'gpt-4.1' });
  });

  test('when several wildcards match, then the longest prefix wins regardless of config order', () => {
    const router = new ModelRouter([catchAll, openaiWild, openaiOWild]);

    expect(router.resolve('openai/o3-mini')).toEqual({ deployment: openaiOWild, upstreamModel: 'o3-mini' });
    expect(router.resolve('openai/gpt-4o')).toEqual({ deployment: openaiWild, upstreamModel: 'gpt-4o' });
    expect(router.resolve('claude-3')).toEqual({ deployment: catchAll, upstreamModel: 'claude-3' });
  });

  test('when one wildcard has several deployments, then they go round-robin', () => {
    const second = deployment('openai/*', '*', 'openai-wild-2');
    const router = new ModelRouter([openaiWild, second]);

    const picked = [1, 2, 3].map(() => router.resolve('openai/gpt-4o')?.deployment.id);

    expect(picked).toEqual(['openai-wild', 'openai-wild-2', 'openai-wild']);
  });

  test('when no name or wildcard matches, then null', () => {
    const router = new ModelRouter([gpt4oA, openaiWild]);

    expect(router.resolve('claude-3')).toBeNull();
    expect(router.resolve('gpt-4')).toBeNull();
    expect(router.resolve('')).toBeNull();
  });

  test('when there are no deployments, then nothing resolves and there are no names', () => {
    const router = new ModelRouter([]);

    expect(router.resolve('gpt-4o')).toBeNull();
    expect(router.modelNames()).toEqual([]);
  });

  test('when listing model names, then each name appears once, in config order, without wildcards', () => {
    const router = new ModelRouter([openaiWild, gpt4oA, mini, gpt4oB, catchAll]);

    expect(router.modelNames()).toEqual(['gpt-4o', 'gpt-4o-mini']);
  });

  test('when built, then the deployments are exposed as given', () => {
    const list = [gpt4oA, openaiWild];

    expect(new ModelRouter(list).deployments).toBe(list);
  });
});
