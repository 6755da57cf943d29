import { parseDocument } from 'yaml';
import { contractError, type FieldError } from './field-reader';

/** YAML 1.2 is a superset of JSON, so one parser serves both forms and reports line numbers for either. */
export function parseYamlOrJson(text: string, fail: FieldError = contractError): unknown {
  const document = parseDocument(text, { uniqueKeys: true });
  const [first] = document.errors;
  if (first !== undefined) {
    // The library's message already says "at line L, column C:" followed by a code excerpt; keep the first line.
    const reason = first.message.split('\n')[0].replace(/:$/, '');
    throw fail('', `not valid YAML or JSON: ${reason}`);
  }
  return document.toJS();
}
