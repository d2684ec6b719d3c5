package io.scalesmall.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * A pass over protobuf bytes, guided by the message's schema, that counts the elements of every repeated
 * field (sub-messages and packed values alike) without building anything. protobuf-java turns a one-byte
 * packed varint into an 8-byte long and grows its lists by half again, so a payload of n bytes can ask for
 * arrays of about 12n bytes; capping the element count at {@code maxFrameBytes / 16} before parsing keeps
 * every single allocation of the decode below the frame maximum. Thread-safe (stateless).
 */
final class ProtoBudget {
    private ProtoBudget() {
    }

    /**
     * @return the number of repeated-field elements in {@code bytes}, a message of type {@code type}
     * @throws CodecException {@code OVERSIZED} past {@code maxElements}, {@code MALFORMED} if not parseable
     */
    static long check(Descriptor type, byte[] bytes, long maxElements) throws CodecException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            long n = count(type, in, maxElements, 0);
            return n;
        } catch (IOException e) {
            throw new CodecException(CodecException.Reason.MALFORMED, type.getName() + ": " + e.getMessage(), e);
        }
    }

    private static long count(Descriptor type, CodedInputStream in, long max, long n) throws IOException, CodecException {
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return n;
            }
            FieldDescriptor f = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
            int wireType = WireFormat.getTagWireType(tag);
            if (f == null) {
                in.skipField(tag);
                continue;
            }
            if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                n = f.isRepeated() ? n + 1 : n;
                int limit = in.pushLimit(in.readRawVarint32());
                n = count(f.getMessageType(), in, max, n);
                in.popLimit(limit);
            } else if (f.isRepeated() && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int limit = in.pushLimit(in.readRawVarint32());
                while (!in.isAtEnd()) {
                    in.readRawVarint64();
                    if (++n > max) {
                        break;
                    }
                }
                in.popLimit(limit);
            } else {
                n = f.isRepeated() ? n + 1 : n;
                in.skipField(tag);
            }
            if (n > max) {
                throw new CodecException(CodecException.Reason.OVERSIZED, type.getName() + ": more than " + max
                        + " repeated elements (the decode would allocate past the frame maximum)");
            }
        }
    }
}
