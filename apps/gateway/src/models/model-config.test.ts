import { type Deployment, ModelConfigError, parseModelConfig } from './model-config';

function errorOf(fn: () => unknown): ModelConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ModelConfigError) return err;
    throw err;
  }
  throw new Error('expected a ModelConfigError, got none');
}

const LITELLM_CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_base: http://127.0.0.1:4010/v1/
      api_key: os.environ/OPENAI_API_KEY
      rpm: 600
      tpm: 90000
    model_info:
      id: gpt-4o-primary
      input_cost_per_token: 0.0000025
      output_cost_per_token: 0.00001
  - model_name: gpt-4o-mini
    litellm_params:
      model: gpt-4o-mini
      api_key: sk-upstream-literal
      input_cost_per_token: 0.00000015
      output_cost_per_token: 0.0000006
      timeout: 30
      temperature: 0.2
  - model_name: openai/*
    litellm_params:
      model: openai/*
      api_base: os.environ/OPENAI_API_BASE
litellm_settings:
  drop_params: true
general_settings:
  master_key: sk-1234
`;

const ENV = { OPENAI_API_KEY: 'sk-from-env', OPENAI_API_BASE: 'https://proxy.example.com/v1//' };

describe('parseModelConfig', () => {
  test('when given a LiteLLM config, then each entry becomes a deployment with secrets kept out of publicParams', () => {
    const expected: Deployment[] = [
      {
        modelName: 'gpt-4o',
        upstreamModel: 'gpt-4o',
        id: 'gpt-4o-primary',
        apiBase: 'http://127.0.0.1:4010/v1',
        apiKey: 'sk-from-env',
        rpm: 600,
        tpm: 90000,
        inputCostPerToken: 0.0000025,
        outputCostPerToken: 0.00001,
        publicParams: { model: 'openai/gpt-4o', api_base: 'http://127.0.0.1:4010/v1/', rpm: 600, tpm: 90000 },
      },
      {
        modelName: 'gpt-4o-mini',
        upstreamModel: 'gpt-4o-mini',
        id: 'gpt-4o-mini-1',
        apiBase: 'https://api.openai.com/v1',
        apiKey: 'sk-upstream-literal',
        rpm: null,
        tpm: null,
        inputCostPerToken: 0.00000015,
        outputCostPerToken: 0.0000006,
        publicParams: {
          model: 'gpt-4o-mini',
          input_cost_per_token: 0.00000015,
          output_cost_per_token: 0.0000006,
          timeout: 30,
          temperature: 0.2,
        },
      },
      {
        modelName: 'openai/*',
        upstreamModel: '*',
        id: 'openai/*-2',
        apiBase: 'https://proxy.example.com/v1',
        apiKey: null,
        rpm: null,
        tpm: null,
        inputCostPerToken: null,
        outputCostPerToken: null,
        publicParams: { model: 'openai/*', api_base: 'os.environ/OPENAI_API_BASE' },
      },
    ];

    expect(parseModelConfig(LITELLM_CONFIG, ENV)).toEqual(expected);
  });

  test('when parsed, then no deployment’s publicParams contains an api key in any form', () => {
    const deployments = parseModelConfig(LITELLM_CONFIG, ENV);
    const publicJson = JSON.stringify(deployments.map((d) => d.publicParams));

    expect(publicJson).not.toContain('api_key');
    expect(publicJson).not.toContain('sk-from-env');
    expect(publicJson).not.toContain('sk-upstream-literal');
    expect(publicJson).not.toContain('OPENAI_API_KEY');
  });

  test('when the model has a provider prefix, then only the first segment is stripped', () => {
    const [d] = parseModelConfig(
      'model_list:\n  - model_name: llama\n    litellm_params:\n      model: hosted_vllm/meta-llama/Llama-3-8B\n',
      {},
    );

    expect(d!.upstreamModel).toBe('meta-llama/Llama-3-8B');
  });

  test('when costs are in both model_info and litellm_params, then model_info wins', () => {
    const [d] = parseModelConfig(
      `model_list:
  - model_name: m
    litellm_params:
      model: m
      input_cost_per_token: 1
      output_cost_per_token: 2
    model_info:
      input_cost_per_token: 0.5
`,
      {},
    );

    expect([d!.inputCostPerToken, d!.outputCostPerToken]).toEqual([0.5, 2]);
  });

  test('when api_base has several trailing slashes, then all are removed', () => {
    const [d] = parseModelConfig(
      'model_list:\n  - model_name: m\n    litellm_params:\n      model: m\n      api_base: http://h:1/v1///\n',
      {},
    );

    expect(d!.apiBase).toBe('http://h:1/v1');
  });

  test('when the referenced api_key variable is not set, then the error names the index, model and variable', () => {
    const err = errorOf(() => parseModelConfig(LITELLM_CONFIG, { OPENAI_API_BASE: 'http://x' }));

    expect(err.message).toBe(
      'model_list.0 (gpt-4o).litellm_params.api_key: environment variable OPENAI_API_KEY is not set',
    );
  });

  test('when the referenced api_base variable is not set, then the error names it too', () => {
    const err = errorOf(() => parseModelConfig(LITELLM_CONFIG, { OPENAI_API_KEY: 'sk-x' }));

    expect(err.message).toBe(
      'model_list.2 (openai/*).litellm_params.api_base: environment variable OPENAI_API_BASE is not set',
    );
  });

  test('when a referenced variable is set to an empty string, then it resolves to the empty string', () => {
    const [d] = parseModelConfig(
      'model_list:\n  - model_name: m\n    litellm_params:\n      model: m\n      api_key: os.environ/EMPTY\n',
      { EMPTY: '' },
    );

    expect(d!.apiKey).toBe('');
  });

  test('when api_base is not a URL, then the error names the path', () => {
    const err = errorOf(() =>
      parseModelConfig(
        'model_list:\n  - model_name: m\n    litellm_params:\n      model: m\n      api_base: not a url\n',
        {},
      ),
    );

    expect(err.message).toBe('model_list.0.litellm_params.api_base: Invalid URL');
  });

  test('when api_base comes from a variable that is not a URL, then the error names the entry and field', () => {
    const err = errorOf(() =>
      parseModelConfig(
        'model_list:\n  - model_name: m\n    litellm_params:\n      model: m\n      api_base: os.environ/BASE\n',
        { BASE: 'localhost-without-scheme' },
      ),
    );

    expect(err.message).toBe('model_list.0 (m).litellm_params.api_base: Invalid URL');
  });

  test('when litellm_params is missing, then the error names the path', () => {
    const err = errorOf(() => parseModelConfig('model_list:\n  - model_name: m\n', {}));

    expect(err.message).toBe(
      'model_list.0.litellm_params: Invalid input: expected object, received undefined',
    );
  });

  test('when rpm is not a positive integer, then the error names the path', () => {
    const err = errorOf(() =>
      parseModelConfig(
        'model_list:\n  - model_name: m\n    litellm_params:\n      model: m\n      rpm: -5\n',
        {},
      ),
    );

    expect(err.message).toBe('model_list.0.litellm_params.rpm: Too small: expected number to be >0');
  });

  test('when model_list is not a list, then the error names it', () => {
    const err = errorOf(() => parseModelConfig('model_list: 3\n', {}));

    expect(err.message).toBe('model_list: Invalid input: expected array, received number');
  });

  test('when the document is not a mapping, then the error is attributed to the config', () => {
    const err = errorOf(() => parseModelConfig('- a\n- b\n', {}));

    expect(err.message).toBe('config: Invalid input: expected object, received array');
  });

  test('when the file is empty or has no model_list, then there are no deployments', () => {
    expect(parseModelConfig('', {})).toEqual([]);
    expect(parseModelConfig('general_settings:\n  master_key: sk-1234\n', {})).toEqual([]);
  });
});
