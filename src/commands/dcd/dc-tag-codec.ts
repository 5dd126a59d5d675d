// The 16-byte Tag payload shared by Dynamic Capacity Add Reference and Remove Reference (CXL r3.2
// Tables 7-74 and 7-75): 0 Tag[16].

import { decoded, invalid, type Codec } from '../../cci/command.js';
import { RC } from '../../spec/return-codes.js';
import { ByteReader } from '../../util/bytes.js';

export const DC_TAG_SIZE = 0x10;

export const dcTagCodec: Codec<Uint8Array> = {
  schema: { fields: [{ name: 'tag', spec: 'Tag', at: 0, type: 'bytes', length: DC_TAG_SIZE }], unwrap: 'tag' },
  decode: (b) => (b.length === DC_TAG_SIZE ? decoded(new ByteReader(b).slice(0, DC_TAG_SIZE)) : invalid(RC.InvalidPayloadLength)),
  encode: (tag) => tag.slice(0, DC_TAG_SIZE),
};
