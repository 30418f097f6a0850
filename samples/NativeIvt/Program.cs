using System;
using Samples;

// Prints what the generator built for the sample table.
foreach (var image in NativeTable.IvtImages.Images)
{
    Console.WriteLine($"{image.Table}.{image.Variant}: {image.Bytes.Length} bytes, sha256 {image.Sha256}");
    foreach (var v in image.Vectors)
        if (v.Handler.Length > 0)
            Console.WriteLine($"  0x{v.Offset:x4} {v.Name,-20} {v.Handler,-20} {v.BundlesUsed,2}/{v.Capacity} bundles");
}
