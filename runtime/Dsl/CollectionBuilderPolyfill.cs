#if NETSTANDARD2_0
namespace System.Runtime.CompilerServices
{
    /// <summary>Lets <c>[r15]</c> build a <see cref="IvtGen.Dsl.Mem"/> on netstandard2.0 (the compiler finds it by name).</summary>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, Inherited = false)]
    internal sealed class CollectionBuilderAttribute : Attribute
    {
        public CollectionBuilderAttribute(Type builderType, string methodName)
        {
            BuilderType = builderType;
            MethodName = methodName;
        }

        public Type BuilderType { get; }
        public string MethodName { get; }
    }
}
#endif
