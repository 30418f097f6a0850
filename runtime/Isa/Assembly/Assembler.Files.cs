using System;
using System.Collections.Generic;
using System.IO;
#if NET
using System.IO.MemoryMappedFiles;
#endif
using System.Linq;
using System.Text;

namespace IvtGen.Isa;

public static partial class Assembler
{
#if NET
    // Not in the netstandard2.0 build, which the generator also compiles: analyzers may not read files.
    /// <summary>
    /// Assembles the file at <paramref name="path"/>, read as <c>File.ReadAllText</c> reads it (UTF-8 unless a byte
    /// order mark names another encoding). The file is mapped into memory rather than copied, and each part of a long
    /// one is decoded by the thread that assembles it. The result's bundle view, made only if asked for, reads the
    /// file again. Throws what reading the file throws (<see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>).
    /// </summary>
    public static AssemblyResult AssembleFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        long size = stream.Length;
        if (size > int.MaxValue / 2) throw new IOException($"{path}: too large to assemble ({size} bytes)");
        if (size < 2L * Segments.PartChars) return Assemble(ReadAll(stream, (int)size), DescribeFile(path));
        // Mapped, the file's pages come straight from the page cache: no copy, and no fresh memory to fault in.
        using var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        using var view = map.CreateViewAccessor(0, size, MemoryMappedFileAccess.Read);
        using var memory = new MappedMemory(view, (int)size);
        return AssembleUtf8(memory.Memory, Segments.PartChars, DescribeFile(path), out _);
    }

    private static Func<List<AssembledBundle>> DescribeFile(string path) => () => Read(File.ReadAllBytes(path)).Bundles.ToList();

    private static byte[] ReadAll(Stream stream, int size)
    {
        var bytes = new byte[size];
        int length = 0;
        // The file may change as it is read: take what there is.
        for (int n; length < size && (n = stream.Read(bytes, length, size - length)) > 0;) length += n;
        return length == size ? bytes : bytes.AsSpan(0, length).ToArray();
    }

    private static AssemblyResult Assemble(byte[] bytes, Func<List<AssembledBundle>> describe) => AssembleUtf8(bytes, Segments.PartChars, describe, out _);

    /// <summary>A mapped view of a file as memory, for as long as the view is held.</summary>
    private sealed unsafe class MappedMemory : System.Buffers.MemoryManager<byte>
    {
        private readonly MemoryMappedViewAccessor _view;
        private readonly byte* _start;
        private readonly int _length;

        public MappedMemory(MemoryMappedViewAccessor view, int length)
        {
            _view = view;
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            _start = p + view.PointerOffset;
            _length = length;
        }

        public override Span<byte> GetSpan() => new(_start, _length);
        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => new(_start + elementIndex);
        public override void Unpin() { }
        protected override void Dispose(bool disposing) => _view.SafeMemoryMappedViewHandle.ReleasePointer();
    }
#endif

    /// <summary>Assembles UTF-8 text (a file's contents, byte order mark and all).</summary>
    internal static AssemblyResult AssembleUtf8(ReadOnlyMemory<byte> bytes, int chunkChars, Func<List<AssembledBundle>>? describe, out int segments)
    {
        segments = 0;
        var b = bytes.Span;
        int start = b.Length >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
        // UTF-16 and UTF-32 byte order marks (FE FF, FF FE, 00 00 FE FF): the reader decodes those.
        bool otherEncoding = b.Length >= 2 && (b[0] == 0xFE && b[1] == 0xFF || b[0] == 0xFF && b[1] == 0xFE)
            || b.Length >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF;
        describe ??= () => Read(bytes.ToArray()).Bundles.ToList();
        if (!otherEncoding && b.Length - start > 2L * chunkChars
            && Segments.TryAssemble(new Segments.Text(bytes.Slice(start)), chunkChars, describe) is { } linked)
        {
            segments = linked.Count;
            return linked.Result;
        }
        return Read(bytes.ToArray());
    }

    /// <summary>Assembles the first <paramref name="length"/> bytes of <paramref name="bytes"/>, a file's contents (tests).</summary>
    internal static AssemblyResult AssembleUtf8(byte[] bytes, int length, int chunkChars, out int segments) =>
        AssembleUtf8(bytes.AsMemory(0, length), chunkChars, null, out segments);

    /// <summary>The bytes assembled through a reader, as a stream of text is.</summary>
    private static AssemblyResult Read(byte[] bytes) =>
        Assemble(new StreamReader(new MemoryStream(bytes, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16), bytes.Length);
}
