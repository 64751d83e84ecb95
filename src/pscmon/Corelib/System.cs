// The types the C# compiler and the NativeAOT compiler expect in a system module, and nothing more.
// Their layout is a contract with both compilers (the object header, the string's Length then its chars).
#pragma warning disable CS0660, CS0661, SA1649, SA1402
namespace System
{
    public class Object
    {
        // The MethodTable pointer every object starts with.
        internal unsafe void* MethodTable;
    }

    public struct Void
    {
    }

    public struct Boolean
    {
    }

    public struct Char
    {
    }

    public struct SByte
    {
    }

    public struct Byte
    {
    }

    public struct Int16
    {
    }

    public struct UInt16
    {
    }

    public struct Int32
    {
    }

    public struct UInt32
    {
    }

    public struct Int64
    {
    }

    public struct UInt64
    {
    }

    public struct IntPtr
    {
    }

    public struct UIntPtr
    {
    }

    public struct Single
    {
    }

    public struct Double
    {
    }

    public abstract class ValueType
    {
    }

    public abstract class Enum : ValueType
    {
    }

    public struct Nullable<T>
        where T : struct
    {
    }

    public sealed class String
    {
        public readonly int Length;
    }

    public abstract class Array
    {
    }

    public abstract class Delegate
    {
    }

    public abstract class MulticastDelegate : Delegate
    {
    }

    public struct RuntimeTypeHandle
    {
    }

    public struct RuntimeMethodHandle
    {
    }

    public struct RuntimeFieldHandle
    {
    }

    public class Attribute
    {
    }

    public enum AttributeTargets
    {
        Assembly = 1, Module = 2, Class = 4, Struct = 8, Enum = 16, Constructor = 32, Method = 64, Property = 128,
        Field = 256, Event = 512, Interface = 1024, Parameter = 2048, Delegate = 4096, ReturnValue = 8192,
        GenericParameter = 16384, All = 32767,
    }

    [AttributeUsage(AttributeTargets.Class, Inherited = true)]
    public sealed class AttributeUsageAttribute : Attribute
    {
        public AttributeUsageAttribute(AttributeTargets validOn)
        {
        }

        public bool AllowMultiple { get; set; }

        public bool Inherited { get; set; }
    }

    public sealed class ParamArrayAttribute : Attribute
    {
    }

    internal class Array<T> : Array
    {
    }
}

namespace System.Runtime.CompilerServices
{
    public static class RuntimeHelpers
    {
        public static unsafe int OffsetToStringData => sizeof(IntPtr) + sizeof(int);
    }
}

namespace System.Runtime.InteropServices
{
    public sealed class DllImportAttribute : Attribute
    {
        public DllImportAttribute(string dllName)
        {
        }

        public string EntryPoint;
    }
}

namespace System.Runtime
{
    /// <summary>Exports a method under a native symbol name (the NativeAOT compiler reads it).</summary>
    internal sealed class RuntimeExportAttribute : Attribute
    {
        public RuntimeExportAttribute(string entry)
        {
        }
    }
}
