using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace IvtGen.Elf;

public enum ElfSymbolType : byte { NoType = 0, Object = 1, Func = 2, Section = 3 }

public enum ElfSymbolBinding : byte { Local = 0, Global = 1 }

/// <summary>A symbol of the object: defined in a section (at a value, with a size) or undefined (Section null).</summary>
public sealed class ElfSymbol
{
    internal ElfSymbol(string name, ElfCodeSection? section, ulong value, ulong size, ElfSymbolType type, ElfSymbolBinding binding)
    {
        Name = name;
        Section = section;
        Value = value;
        Size = size;
        Type = type;
        Binding = binding;
    }

    public string Name { get; }
    public ElfCodeSection? Section { get; }
    public ulong Value { get; }
    public ulong Size { get; }
    public ElfSymbolType Type { get; }
    public ElfSymbolBinding Binding { get; }
    internal int Index;
}

/// <summary>A RELA entry against a code section.</summary>
public sealed class ElfRelocation
{
    public ElfRelocation(ulong offset, ElfSymbol symbol, Ia64Relocation type, long addend)
    {
        Offset = offset;
        Symbol = symbol;
        Type = type;
        Addend = addend;
    }

    /// <summary>Bundle address plus slot number, as IA-64 relocations name a slot.</summary>
    public ulong Offset { get; }
    public ElfSymbol Symbol { get; }
    public Ia64Relocation Type { get; }
    public long Addend { get; }
}

/// <summary>An executable, allocated PROGBITS section, its relocations and its section symbol.</summary>
public sealed class ElfCodeSection
{
    internal ElfCodeSection(string name, byte[] bytes, ulong alignment)
    {
        Name = name;
        Bytes = bytes;
        Alignment = alignment;
    }

    public string Name { get; }
    public byte[] Bytes { get; }
    public ulong Alignment { get; }
    public List<ElfRelocation> Relocations { get; } = new();
    /// <summary>The STT_SECTION symbol, for relocations against a place in this section.</summary>
    public ElfSymbol SectionSymbol { get; internal set; } = null!;
    internal int Index;
}

/// <summary>
/// Writes an ELF64 little-endian relocatable object for IA-64 (EM_IA_64 = 50, e_flags EF_IA_64_ABI64 as GNU as
/// writes for ia64-linux): code sections with RELA relocations, .symtab (locals first), .strtab, .shstrtab.
/// </summary>
public sealed class ElfObjectWriter
{
    public const ushort EM_IA_64 = 50;
    public const uint EF_IA_64_ABI64 = 0x10;

    private const uint SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4;
    private const ulong SHF_ALLOC = 0x2, SHF_EXECINSTR = 0x4, SHF_INFO_LINK = 0x40;

    private readonly List<ElfCodeSection> _sections = new();
    private readonly List<ElfSymbol> _symbols = new();
    private readonly Dictionary<string, ElfSymbol> _undefined = new(StringComparer.Ordinal);

    public ElfCodeSection AddSection(string name, byte[] bytes, ulong alignment)
    {
        var s = new ElfCodeSection(name, bytes, alignment);
        s.SectionSymbol = new ElfSymbol("", s, 0, 0, ElfSymbolType.Section, ElfSymbolBinding.Local);
        _sections.Add(s);
        return s;
    }

    public ElfSymbol Define(string name, ElfCodeSection section, ulong value, ulong size, ElfSymbolType type, ElfSymbolBinding binding)
    {
        var s = new ElfSymbol(name, section, value, size, type, binding);
        _symbols.Add(s);
        return s;
    }

    /// <summary>The undefined global symbol <paramref name="name"/> (one per name).</summary>
    public ElfSymbol Undefined(string name)
    {
        if (!_undefined.TryGetValue(name, out var s))
        {
            s = new ElfSymbol(name, null, 0, 0, ElfSymbolType.NoType, ElfSymbolBinding.Global);
            _undefined.Add(name, s);
            _symbols.Add(s);
        }
        return s;
    }

    public byte[] ToArray()
    {
        // Symbol table: null, section symbols, other locals, then globals (sh_info = first global).
        var syms = new List<ElfSymbol>();
        foreach (var s in _sections) syms.Add(s.SectionSymbol);
        foreach (var s in _symbols) if (s.Binding == ElfSymbolBinding.Local) syms.Add(s);
        int firstGlobal = syms.Count + 1;
        foreach (var s in _symbols) if (s.Binding != ElfSymbolBinding.Local) syms.Add(s);

        // Section indices: 0 null, code sections, their .rela sections, .symtab, .strtab, .shstrtab.
        int idx = 1;
        foreach (var s in _sections) s.Index = idx++;
        var relaOf = new Dictionary<ElfCodeSection, int>();
        foreach (var s in _sections) if (s.Relocations.Count > 0) relaOf[s] = idx++;
        int symtabIndex = idx++, strtabIndex = idx++, shstrtabIndex = idx++;
        int shnum = idx;

        var strtab = new StringTable();
        var shstrtab = new StringTable();
        var symtab = new byte[(syms.Count + 1) * 24];
        for (int i = 0; i < syms.Count; i++)
        {
            var s = syms[i];
            s.Index = i + 1;
            var e = symtab.AsSpan((i + 1) * 24, 24);
            BinaryPrimitives.WriteUInt32LittleEndian(e, s.Type == ElfSymbolType.Section ? 0 : strtab.Add(s.Name));
            e[4] = (byte)((int)s.Binding << 4 | (int)s.Type);
            e[5] = 0; // STV_DEFAULT
            BinaryPrimitives.WriteUInt16LittleEndian(e.Slice(6), (ushort)(s.Section?.Index ?? 0));
            BinaryPrimitives.WriteUInt64LittleEndian(e.Slice(8), s.Value);
            BinaryPrimitives.WriteUInt64LittleEndian(e.Slice(16), s.Size);
        }

        var headers = new List<byte[]>();
        var body = new MemoryStream();
        body.Write(new byte[64], 0, 64); // ELF header, filled in last
        long Place(byte[] data, ulong align)
        {
            long a = (long)Math.Max(1UL, Math.Min(align, 16UL));
            while (body.Length % a != 0) body.WriteByte(0);
            long at = body.Length;
            body.Write(data, 0, data.Length);
            return at;
        }
        byte[] Header(string name, uint type, ulong flags, long offset, long size, int link, int info, ulong align, ulong entsize)
        {
            var h = new byte[64];
            BinaryPrimitives.WriteUInt32LittleEndian(h, shstrtab.Add(name));
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), type);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(8), flags);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(16), 0); // sh_addr
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(24), (ulong)offset);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(32), (ulong)size);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(40), (uint)link);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(44), (uint)info);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(48), align);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(56), entsize);
            return h;
        }

        headers.Add(new byte[64]);
        foreach (var s in _sections)
            headers.Add(Header(s.Name, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, Place(s.Bytes, s.Alignment), s.Bytes.Length, 0, 0, s.Alignment, 0));
        foreach (var s in _sections)
        {
            if (!relaOf.ContainsKey(s)) continue;
            var rela = new byte[s.Relocations.Count * 24];
            for (int i = 0; i < s.Relocations.Count; i++)
            {
                var r = s.Relocations[i];
                var e = rela.AsSpan(i * 24, 24);
                BinaryPrimitives.WriteUInt64LittleEndian(e, r.Offset);
                BinaryPrimitives.WriteUInt64LittleEndian(e.Slice(8), (ulong)r.Symbol.Index << 32 | (uint)r.Type);
                BinaryPrimitives.WriteInt64LittleEndian(e.Slice(16), r.Addend);
            }
            headers.Add(Header(".rela" + s.Name, SHT_RELA, SHF_INFO_LINK, Place(rela, 8), rela.Length, symtabIndex, s.Index, 8, 24));
        }
        headers.Add(Header(".symtab", SHT_SYMTAB, 0, Place(symtab, 8), symtab.Length, strtabIndex, firstGlobal, 8, 24));
        var strBytes = strtab.ToArray();
        headers.Add(Header(".strtab", SHT_STRTAB, 0, Place(strBytes, 1), strBytes.Length, 0, 0, 1, 0));
        // .shstrtab names itself: add its name before serializing it.
        uint shstrName = shstrtab.Add(".shstrtab");
        var shBytes = shstrtab.ToArray();
        var shHeader = Header(".shstrtab", SHT_STRTAB, 0, Place(shBytes, 1), shBytes.Length, 0, 0, 1, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(shHeader, shstrName);
        headers.Add(shHeader);

        while (body.Length % 8 != 0) body.WriteByte(0);
        long shoff = body.Length;
        foreach (var h in headers) body.Write(h, 0, h.Length);

        var file = body.ToArray();
        var eh = file.AsSpan(0, 64);
        eh[0] = 0x7f; eh[1] = (byte)'E'; eh[2] = (byte)'L'; eh[3] = (byte)'F';
        eh[4] = 2;   // ELFCLASS64
        eh[5] = 1;   // ELFDATA2LSB
        eh[6] = 1;   // EV_CURRENT
        eh[7] = 0;   // ELFOSABI_NONE
        BinaryPrimitives.WriteUInt16LittleEndian(eh.Slice(16), 1);            // ET_REL
        BinaryPrimitives.WriteUInt16LittleEndian(eh.Slice(18), EM_IA_64);
        BinaryPrimitives.WriteUInt32LittleEndian(eh.Slice(20), 1);            // EV_CURRENT
        BinaryPrimitives.WriteUInt64LittleEndian(eh.Slice(24), 0);            // e_entry
        BinaryPrimitives.WriteUInt64LittleEndian(eh.Slice(32), 0);            // e_phoff
        BinaryPrimitives.WriteUInt64LittleEndian(eh.Slice(40), (ulong)shoff); // e_shoff
        BinaryPrimitives.WriteUInt32LittleEndian(eh.Slice(48), EF_IA_64_ABI64);
        BinaryPrimitives.WriteUInt16LittleEndian(eh.Slice(52), 64);           // e_ehsize
        BinaryPrimitives.WriteUInt16LittleEndian(eh.Slice(54), 0);            // e_phentsize
        BinaryPrimitives.WriteUInt16LittleEndian(eh.Slice(56), 0);            // e_phnum
        BinaryPrimitives.WriteUInt16LittleEndian(eh.Slice(58), 64);           // e_shentsize
        BinaryPrimitives.WriteUInt16LittleEndian(eh.Slice(60), (ushort)shnum);
        BinaryPrimitives.WriteUInt16LittleEndian(eh.Slice(62), (ushort)shstrtabIndex);
        return file;
    }

    private sealed class StringTable
    {
        private readonly MemoryStream _bytes = new();
        private readonly Dictionary<string, uint> _at = new(StringComparer.Ordinal);

        public StringTable() => _bytes.WriteByte(0);

        public uint Add(string s)
        {
            if (s.Length == 0) return 0;
            if (_at.TryGetValue(s, out uint at)) return at;
            at = (uint)_bytes.Length;
            var b = Encoding.UTF8.GetBytes(s);
            _bytes.Write(b, 0, b.Length);
            _bytes.WriteByte(0);
            _at.Add(s, at);
            return at;
        }

        public byte[] ToArray() => _bytes.ToArray();
    }
}
