using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace IvtGen.Isa;

public static partial class Assembler
{
    /// <summary>
    /// Assembles the file at <paramref name="path"/>, read as <c>File.ReadAllText</c> reads it (UTF-8 unless a byte
    /// order mark names another encoding). The file is read as bytes in one go and each part of a long one is
    /// decoded by the thread that assembles it. Throws what reading the file throws (<see cref="IOException"/>,
    /// <see cref="UnauthorizedAccessException"/>).
    /// </summary>
    public static AssemblyResult AssembleFile(string path)
    {
        byte[] bytes;
        int length = 0;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan))
        {
            long size = stream.Length;
            if (size > int.MaxValue / 2) throw new IOException($"{path}: too large to assemble ({size} bytes)");
#if NET
            bytes = GC.AllocateUninitializedArray<byte>((int)size);
#else
            bytes = new byte[size];
#endif
            HugePages.Advise(bytes);
            // The file may change as it is read: take what there is.
            for (int n; length < bytes.Length && (n = stream.Read(bytes, length, bytes.Length - length)) > 0;) length += n;
        }
        return AssembleUtf8(bytes, length, SourceParser.DefaultChunkChars, out _);
    }

    /// <summary>Assembles the first <paramref name="length"/> bytes of <paramref name="bytes"/>, a file's contents.</summary>
    internal static AssemblyResult AssembleUtf8(byte[] bytes, int length, int chunkChars, out int segments)
    {
        segments = 0;
        int start = length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        // UTF-16 and UTF-32 byte order marks (FE FF, FF FE, 00 00 FE FF): the reader decodes those.
        bool otherEncoding = length >= 2 && (bytes[0] == 0xFE && bytes[1] == 0xFF || bytes[0] == 0xFF && bytes[1] == 0xFE)
            || length >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0xFE && bytes[3] == 0xFF;
        if (!otherEncoding && length - start > 2L * chunkChars
            && Segments.TryAssemble(new Segments.Text(bytes, start, length - start), chunkChars, () => Read(bytes, length).Bundles.ToList()) is { } linked)
        {
            segments = linked.Count;
            return linked.Result;
        }
        return Read(bytes, length);
    }

    /// <summary>The bytes assembled through a reader, as a stream of text is.</summary>
    private static AssemblyResult Read(byte[] bytes, int length) =>
        Assemble(new StreamReader(new MemoryStream(bytes, 0, length, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16), length);
}
