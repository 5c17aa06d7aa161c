import { openAIError } from './errors';

/** OpenAI's timestamp for its own early models; fixed so responses are byte-for-byte stable. */
export const MODEL_CREATED = 1677610602;

export interface ModelRoutes {
  /** The whole `GET /v1/models` body, built once. */
  list: string;
  /** `GET /v1/models/{id}` bodies by id. */
  byId: Map<string, string>;
}

export function modelRoutes(ids: readonly string[]): ModelRoutes {
  const models = ids.map((id) => ({ id, object: 'model', created: MODEL_CREATED, owned_by: 'mock-llm' }));
  return {
    list: JSON.stringify({ object: 'list', data: models }),
    byId: new Map(models.map((m) => [m.id, JSON.stringify(m)])),
  };
}

export const modelNotFound = (id: string) =>
  openAIError(404, `The model '${id}' does not exist`, 'invalid_request_error', 'model_not_found', 'model');
