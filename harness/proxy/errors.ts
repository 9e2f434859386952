/** An API error, answered as Toxiproxy does: `{"error": message, "status": code}`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// Toxiproxy's own messages (api.go)
export const errors = {
  badRequestBody: (detail: string) => new ApiError(`bad request body: ${detail}`, 400),
  missingField: (field: string) => new ApiError(`missing required field: ${field}`, 400),
  proxyNotFound: () => new ApiError('proxy not found', 404),
  proxyAlreadyExists: () => new ApiError('proxy already exists', 409),
  invalidStream: () => new ApiError('stream was invalid, can be either upstream or downstream', 400),
  invalidToxicType: () => new ApiError('invalid toxic type', 400),
  toxicAlreadyExists: () => new ApiError('toxic already exists', 409),
  toxicNotFound: () => new ApiError('toxic not found', 404),
};
