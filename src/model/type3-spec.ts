// The description of one type 3 memory device, as the topology gives it. src/type3 builds a
// device from it; src/topology validates it.

export interface DcRegionSpec {
  /** Region length in bytes, a multiple of 256 MiB. */
  readonly lengthBytes: bigint;
  /** Block size in bytes, a power of two, at least 64 bytes (CXL r3.2 8.2.10.9.9.1). */
  readonly blockSizeBytes: bigint;
}

export interface Type3Spec {
  /** Single-logical or multi-logical device. */
  readonly kind: 'sld' | 'mld';
  readonly serialNumber: bigint;
  /** 1 for an SLD; 1..16 for an MLD. */
  readonly ldCount: number;
  /** Total static capacity in bytes, a multiple of 256 MiB. */
  readonly capacityBytes: bigint;
  /** Of that, persistent bytes (the rest is volatile); a multiple of 256 MiB. */
  readonly persistentBytes: bigint;
  /** Label Storage Area size in bytes per LD (0 = none). */
  readonly lsaBytes: number;
  /** Dynamic capacity regions (0..8); none = not a DCD. */
  readonly dcRegions: readonly DcRegionSpec[];
  /** Each LD's mailbox payload size, log2 (8..20; default 11). See src/cci/message-size.ts. */
  readonly payloadSizeLog2?: number;
  /** The FM-owned LD's CCI payload size, log2 (MLD only; default payloadSizeLog2). */
  readonly fmPayloadSizeLog2?: number;
  readonly vendorId?: number;
  readonly deviceId?: number;
  readonly fwRevision?: string;
  /**
   * What traces, metrics and the REST view call the device; its LDs are "<name>.ld<N>" and an
   * MLD's FM-owned LD "<name>.fm". The topology builder names each device after its port
   * ("port2"), the name users type for register access; standalone devices get "t3-<serial>".
   */
  readonly name?: string;
  /** Per-LD names where "<name>.ld<N>" is not the one users see (an MHD's pool LDs go by their head's port). */
  readonly ldNames?: readonly (string | undefined)[];
  /**
   * Fault model: effects each LD's CEL reports instead of the true ones (opcode -> effects), for
   * testing that a host filter does not trust a lying device. Dispatch is unaffected.
   */
  readonly celEffectOverrides?: ReadonlyMap<number, number>;
}
