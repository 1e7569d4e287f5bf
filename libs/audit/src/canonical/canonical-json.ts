import { AuditError, AuditErrorCode } from '../audit.errors';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The JSON Canonicalization Scheme, RFC 8785. Hashes and signatures in the audit chain are computed
 * over this text, so any party can recompute them from the same fields.
 *
 * Why not the `canonicalize` package: it ships as an ES module only (no `require` export), which the
 * CommonJS build and Jest cannot load synchronously; a test checks this implementation against it.
 * The rules are few: object members sorted by the UTF-16 code units of their names (§3.2.3),
 * numbers in the ECMAScript Number-to-String form (§3.2.2.3), strings escaped as JSON.stringify does
 * (§3.2.2.2), no whitespace, and lone surrogates refused (§3.2.2.2, I-JSON RFC 7493 §2.1).
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new AuditError(AuditErrorCode.NotCanonicalisable, `RFC 8785 has no form for ${value}`);
      }
      // ECMAScript Number::toString, as JSON.stringify applies it; -0 becomes 0 (RFC 8785 §3.2.2.3).
      return JSON.stringify(value);
    case 'string':
      if (hasLoneSurrogate(value)) {
        throw new AuditError(AuditErrorCode.NotCanonicalisable, 'a string holds a lone UTF-16 surrogate');
      }
      return JSON.stringify(value);
    case 'object':
      if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
      return `{${Object.keys(value)
        // Array.prototype.sort compares UTF-16 code units, exactly as RFC 8785 §3.2.3 asks.
        .sort()
        .map((key) => {
          const member = value[key];
          if (member === undefined) {
            throw new AuditError(AuditErrorCode.NotCanonicalisable, `member "${key}" is undefined`);
          }
          return `${canonicalJson(key)}:${canonicalJson(member)}`;
        })
        .join(',')}}`;
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      // Only reachable from untyped callers: JSON has no such values.
      throw new AuditError(AuditErrorCode.NotCanonicalisable, `RFC 8785 has no form for a ${typeof value}`);
  }
}

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i += 1;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return true;
    }
  }
  return false;
}
