/** Why a client request could not be answered with success. */
export class RequestFailed extends Error {
  constructor(
    readonly reason: 'not-leader' | 'timeout' | 'overwritten',
    message: string,
  ) {
    super(message);
  }
}
