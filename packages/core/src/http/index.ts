export {
  connectionErrorCode,
  type HttpRequestOptions,
  HttpResponse,
  httpRequest,
  isTlsErrorCode,
} from './http-request';
export { noProxyMatches, ProxyError, type ProxyRoute, proxyFor } from './proxy';
