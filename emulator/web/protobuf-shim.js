// protobufjs's minimal browser build sets a global; the generated module wants it as a default import.
export default globalThis.protobuf;
