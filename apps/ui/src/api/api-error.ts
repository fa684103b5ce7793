// The error every API call rejects with: the server's plain-text message and the HTTP status (0: unreachable).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
