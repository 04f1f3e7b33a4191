/** Header carrying the request id on every response (and accepted on requests when it is safe to echo). */
export const REQUEST_ID_HEADER = "x-request-id";
