/**
 * Turns what @kubernetes/client-node throws (ApiException with a Status body, fetch errors, "Unrecognized API
 * version and kind") into one KubernetesError saying what failed, on which object, and what to do.
 */
import { KubernetesError } from '../core/errors.js';

export interface K8sErrorContext {
  /** What we were doing: `create`, `apply`, `get`, `list`, `delete`. */
  action: string;
  /** `Kind namespace/name` (or `Kind` for lists). */
  object: string;
  kubeconfigPath: string;
  server: string;
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: Array<{ message?: string; field?: string }> };
}

function statusBody(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body };
    }
  }
  return body && typeof body === 'object' ? (body as StatusBody) : {};
}

/** HTTP status of a client-node ApiException, or undefined for transport errors. */
export function httpCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** client-node failed to resolve the kind (the group/version is not served): not a missing object. */
export function isDiscoveryFailure(e: unknown): boolean {
  return /^Failed to fetch resource metadata for /.test((e as { message?: string } | null)?.message ?? '');
}

/** A 404 about the object itself (not about its API group). */
export function isNotFound(e: unknown): boolean {
  return httpCode(e) === 404 && !isDiscoveryFailure(e);
}

export function toKubernetesError(e: unknown, ctx: K8sErrorContext): KubernetesError {
  if (e instanceof KubernetesError) return e;
  const code = httpCode(e);
  const gv = /^Failed to fetch resource metadata for (\S+)\/([^/:\s]+):/.exec((e as { message?: string }).message ?? '');
  if (gv && code === 404) {
    return new KubernetesError('k8s-unknown-kind', `the cluster at ${ctx.server} does not serve ${gv[1]} ${gv[2]} (needed to ${ctx.action} ${ctx.object})`, {
      hint: 'the CRD is missing: install the operator that provides it, or check apiVersion and kind',
      cause: e,
    });
  }
  const raw = e as { message?: string; body?: unknown; cause?: { code?: string; message?: string } };
  const what = `${ctx.action} ${ctx.object}`;
  if (code !== undefined) {
    const st = statusBody(raw.body);
    const msg = st.message ?? raw.message ?? '';
    switch (code) {
      case 401:
        return new KubernetesError('k8s-unauthorized', `the kubeconfig at ${ctx.kubeconfigPath} is rejected by the API server ${ctx.server} (401 Unauthorized) while trying to ${what}`, {
          hint: 'the token or client certificate has expired or is wrong: fetch a fresh kubeconfig for this cluster',
          cause: e,
        });
      case 403:
        return new KubernetesError('k8s-forbidden', `the user of ${ctx.kubeconfigPath} may not ${what}: ${msg}`, {
          hint: 'use a kubeconfig with cluster-admin rights (the installer\'s auth/kubeconfig)',
          cause: e,
        });
      case 404:
        return new KubernetesError('k8s-not-found', `cannot ${what}: ${msg || 'not found'}`, {
          hint: /namespaces? "/.test(msg) ? 'create the namespace first' : 'check the name and namespace',
          cause: e,
        });
      case 409:
        return new KubernetesError('k8s-conflict', `cannot ${what}: ${msg}`, { hint: 'the object exists already or changed meanwhile; apply instead of create, or retry', cause: e });
      case 422: {
        const causes = (st.details?.causes ?? []).map((c) => c.message ?? c.field).filter(Boolean);
        return new KubernetesError('k8s-invalid', `the API server rejected ${ctx.object} as invalid: ${causes.length ? causes.join('; ') : msg}`, {
          hint: 'fix the object definition; the CRD schema of the cluster is what decides',
          cause: e,
        });
      }
      default:
        return new KubernetesError('k8s-error', `cannot ${what}: HTTP ${code}${msg ? `: ${msg}` : ''}`, { hint: `check the API server ${ctx.server}`, cause: e });
    }
  }
  const message = raw?.message ?? String(e);
  const unknownKind = /Unrecognized API version and kind: (.*)$/.exec(message);
  if (unknownKind) {
    return new KubernetesError('k8s-unknown-kind', `the cluster at ${ctx.server} does not serve ${unknownKind[1]} (needed to ${what})`, {
      hint: 'the CRD is missing: install the operator that provides it, or check apiVersion and kind',
      cause: e,
    });
  }
  const errno = raw?.cause?.code ?? (e as { code?: string })?.code;
  if (/certificate|self[- ]signed|CERT_|UNABLE_TO_VERIFY/i.test(`${message} ${raw?.cause?.message ?? ''} ${errno ?? ''}`)) {
    return new KubernetesError('k8s-tls', `the TLS certificate of ${ctx.server} is not trusted (kubeconfig ${ctx.kubeconfigPath}): ${raw?.cause?.message ?? message}`, {
      hint: 'put the cluster CA in the kubeconfig (certificate-authority-data); TLS verification stays on',
      cause: e,
    });
  }
  return new KubernetesError('k8s-unreachable', `cannot reach the API server ${ctx.server} (kubeconfig ${ctx.kubeconfigPath}) to ${what}: ${errno ? `${errno} ` : ''}${raw?.cause?.message ?? message}`, {
    hint: 'check that the cluster is up and the server URL in the kubeconfig is right',
    cause: e,
  });
}
