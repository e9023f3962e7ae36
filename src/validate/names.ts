/**
 * The name and label syntaxes the Kubernetes API server enforces, as small predicates that return
 * what is wrong (or nothing). Each mirrors a function of k8s.io/apimachinery/pkg/util/validation.
 * @see https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/validation.go
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** `IsDNS1123Label`: namespaces, container names, volume names, StatefulSets. */
export function dns1123LabelProblem(v: string): string | undefined {
  if (v.length > 63) return `must be at most 63 characters (has ${v.length})`;
  if (!DNS1123_LABEL.test(v)) return 'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit';
  return undefined;
}

/** `IsDNS1123Subdomain`: most object names. */
export function dns1123SubdomainProblem(v: string): string | undefined {
  if (v.length > 253) return `must be at most 253 characters (has ${v.length})`;
  if (!DNS1123_SUBDOMAIN.test(v)) {
    return 'must be a DNS-1123 subdomain: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit';
  }
  return undefined;
}

/** `IsDNS1035Label`: Service names (they become DNS names, so they must start with a letter). */
export function dns1035LabelProblem(v: string): string | undefined {
  if (v.length > 63) return `must be at most 63 characters (has ${v.length})`;
  if (!DNS1035_LABEL.test(v)) return 'must be a DNS-1035 label: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit';
  return undefined;
}

/** `IsValidPathSegmentName`: RBAC object names. */
export function pathSegmentProblem(v: string): string | undefined {
  if (v === '.' || v === '..') return `may not be "${v}"`;
  if (v.includes('/') || v.includes('%')) return 'may not contain "/" or "%"';
  return undefined;
}

/**
 * `IsValidPortName`: container port names and named target ports (IANA service names): at most 15
 * characters, lowercase letters, digits and single hyphens, at least one letter.
 */
export function portNameProblem(v: string): string | undefined {
  if (v.length > 15) return `must be at most 15 characters (has ${v.length})`;
  if (!IANA_SVC_NAME.test(v)) return 'must be lowercase letters, digits and "-", starting and ending with a letter or digit';
  if (v.includes('--')) return 'must not contain consecutive hyphens';
  if (!/[a-z]/.test(v)) return 'must contain at least one letter';
  return undefined;
}

/** `IsQualifiedName`: label and annotation keys, `[prefix/]name`. */
export function qualifiedNameProblem(v: string): string | undefined {
  const parts = v.split('/');
  if (parts.length > 2) return 'must be a name with an optional DNS subdomain prefix and one "/"';
  const [prefix, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [undefined, parts[0]!];
  if (prefix !== undefined) {
    if (prefix.length === 0) return 'prefix part must not be empty';
    const p = dns1123SubdomainProblem(prefix);
    if (p) return `prefix part ${p}`;
  }
  if (name.length === 0) return 'name part must not be empty';
  if (name.length > 63) return `name part must be at most 63 characters (has ${name.length})`;
  if (!QUALIFIED_NAME.test(name)) return 'name part must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  return undefined;
}

/** `IsValidLabelValue`: empty, or at most 63 characters starting and ending alphanumeric. */
export function labelValueProblem(v: string): string | undefined {
  if (v.length > 63) return `must be at most 63 characters (has ${v.length})`;
  if (!LABEL_VALUE.test(v)) return 'must be empty or letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  return undefined;
}

/** IPv4 or IPv6 CIDR block, as Go's net.ParseCIDR accepts. */
export function isCidr(v: string): boolean {
  const m = /^(.+)\/(\d{1,3})$/.exec(v);
  if (!m) return false;
  const bits = Number(m[2]);
  const ip = m[1]!;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return bits <= 32 && ip.split('.').every((o) => Number(o) <= 255 && String(Number(o)) === o);
  return bits <= 128 && /^[0-9a-fA-F:]+$/.test(ip) && ip.includes(':') && (ip.match(/::/g)?.length ?? 0) <= 1;
}
