// Faults on demand (issue 14): the fault shape every input path converts to, the controller that
// applies and undoes them on a system (event records come from src/events).

export { FAULT_FIELDS, FAULT_KINDS, checkFaultShape, describeFault, isFaultKind, type ActiveFault, type FaultKind, type FaultSpec } from './spec.js';
export { FaultController, type FaultAction, type FaultEvents, type FaultHost } from './controller.js';
export { faultFromJson } from './json.js';
