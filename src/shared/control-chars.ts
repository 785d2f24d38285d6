/**
 * Control characters, named once for every layer (the webviews too): the core refuses them in
 * paths and drops them from GPU tool output, the protocol refuses them in names and the
 * extension replaces them before a name goes out.
 */
/* eslint-disable no-control-regex -- these patterns exist to find control characters */

/** C0 controls and DEL: never in a path, a script name or a value read from a GPU tool. */
const C0_AND_DEL = /[\u0000-\u001f\u007f]/;

/** C0 and C1 controls other than tab: never expected in a protocol name, and they garble status lines. */
const PROTOCOL_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

/* eslint-enable no-control-regex -- only the two patterns above */

const C0_AND_DEL_ALL = new RegExp(C0_AND_DEL.source, 'g');
const PROTOCOL_CONTROL_ALL = new RegExp(PROTOCOL_CONTROL.source, 'g');

export function hasControlChars(text: string): boolean {
  return C0_AND_DEL.test(text);
}

export function withoutControlChars(text: string): string {
  return text.replace(C0_AND_DEL_ALL, '');
}

/** Whether a protocol name holds a control character (tab is allowed). */
export function hasProtocolControlChars(text: string): boolean {
  return PROTOCOL_CONTROL.test(text);
}

/** A protocol name with each control character (tab kept) replaced by a space. */
export function protocolControlCharsToSpaces(text: string): string {
  return text.replace(PROTOCOL_CONTROL_ALL, ' ');
}
