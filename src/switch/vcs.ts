// Virtual CXL switches (CXL r3.2 7.1.4, 7.2.3): a VCS is its upstream vPPB 0 plus downstream
// vPPBs, each unbound, bound to a port (or one LD of an MLD port), or on its way between the two.
// The Switch holds the VCSs and the rules for changing their bindings.

import type { Cci } from '../cci/cci.js';
import type { DownstreamDevice } from '../model/downstream.js';

/** LD ID meaning "the whole port" in Bind vPPB (7.6.7.2.2: FFFFh for anything but an MLD). */
export const LD_ID_NONE = 0xffff;

/** Virtual time a bind takes; long enough to observe progress through Background Operation Status. */
export const BIND_DURATION_MS = 1500;
/** Unbind time per Unbind Option (7.6.7.2.3): waiting for link down is the slowest. */
export const UNBIND_DURATION_MS: readonly number[] = [2000, 1500, 1000];

export type VppbState =
  | { readonly kind: 'unbound' }
  | { readonly kind: 'bound'; readonly port: number; readonly ld: number | undefined }
  | { readonly kind: 'binding'; readonly port: number; readonly ld: number | undefined }
  | { readonly kind: 'unbinding'; readonly port: number; readonly ld: number | undefined };

export const UnbindOption = {
  WaitForLinkDown: 0,
  ManagedHotRemove: 1,
  SurpriseHotRemove: 2,
} as const;

export interface VcsSpec {
  readonly id: number;
  readonly uspPort: number;
  /** Downstream vPPBs; the VCS has this many plus its upstream vPPB 0. */
  readonly downstreamVppbs: number;
}

export class Vcs {
  readonly vppbs: VppbState[];
  /** Domain validation secret value (7.6.7.1.6); set at most once. */
  domainValidationSv: Uint8Array | undefined;
  constructor(
    readonly id: number,
    readonly uspPort: number,
    downstreamVppbs: number,
  ) {
    this.vppbs = [{ kind: 'bound', port: uspPort, ld: undefined }];
    for (let i = 0; i < downstreamVppbs; i++) this.vppbs.push({ kind: 'unbound' });
  }
}

/** One LD (or whole port) a host can reach through its VCS. */
export interface HostVisibleTarget {
  readonly vppb: number;
  readonly port: number;
  /** Undefined when the whole port is bound (SLD, PCIe device, empty slot). */
  readonly ld: number | undefined;
  readonly device: DownstreamDevice | undefined;
  /** The CCI the host reaches for that LD, if the device has one. */
  readonly cci: Cci | undefined;
}

/** A bind or unbind that has started; the background job finishes or abandons it. */
export interface Transition {
  complete(): void;
  abort(): void;
}
