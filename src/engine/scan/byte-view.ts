let viewed: Uint8Array | undefined;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/**
 * A DataView over the text being scanned, to read four bytes at a time. Made once per buffer: the lines of one
 * buffer are scanned one after another. `releaseView` drops the reference so a scanned block can be freed.
 */
export function viewOf(b: Uint8Array): DataView<ArrayBufferLike> {
  if (b !== viewed) {
    viewed = b;
    view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  return view;
}

export function releaseView(): void {
  viewed = undefined;
  view = new DataView(new ArrayBuffer(0));
}
