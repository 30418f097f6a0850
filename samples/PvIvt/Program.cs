using System;
using Samples.Pv;

// Prints the variants the generator built for the paravirtualized sample.
foreach (var image in PvTable.IvtImages.Images)
    Console.WriteLine($"{image.Table}.{image.Variant}: {image.Bytes.Length} bytes, sha256 {image.Sha256}");
