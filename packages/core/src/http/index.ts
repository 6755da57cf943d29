export {
  connectionErrorCode,
  type HttpRequestOptions,
  HttpResponse,
  httpRequest,
  isTlsErrorCode,
} from './http-request';
