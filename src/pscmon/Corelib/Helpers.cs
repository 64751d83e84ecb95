// Helpers the NativeAOT compiler looks up by name in the system module. Without a garbage collector a
// transition between managed and native code is a no-op; objects come from calloc and are never freed
// (pscmon makes a handful, once); reference stores need no barrier. Helpers for features pscmon does not use
// (casts, exceptions, interfaces, lazy P/Invoke binding) end the process if they are ever reached.
#pragma warning disable SA1649, SA1402, IDE0060
namespace Internal.Runtime.CompilerHelpers
{
    using System.Runtime;

    internal static unsafe class StartupCodeHelpers
    {
        [RuntimeExport("RhpReversePInvoke")]
        private static void RhpReversePInvoke(void* frame)
        {
        }

        [RuntimeExport("RhpReversePInvokeReturn")]
        private static void RhpReversePInvokeReturn(void* frame)
        {
        }

        [RuntimeExport("RhpPInvoke")]
        private static void RhpPInvoke(void* frame)
        {
        }

        [RuntimeExport("RhpPInvokeReturn")]
        private static void RhpPInvokeReturn(void* frame)
        {
        }

        [RuntimeExport("RhpFallbackFailFast")]
        private static void RhpFallbackFailFast() => Pscmon.Sys.abort();

        [RuntimeExport("RhpNewFast")]
        private static void* RhpNewFast(byte* methodTable)
        {
            // MethodTable: uint flags (the low 16 bits are the component size), then uint base size.
            var o = (void**)Pscmon.Sys.calloc(1, *(uint*)(methodTable + 4));
            if (o == null)
            {
                Pscmon.Sys.abort();
            }

            *o = methodTable;
            return o;
        }

        [RuntimeExport("RhpNewArray")]
        private static void* RhpNewArray(byte* methodTable, int length)
        {
            if (length < 0)
            {
                Pscmon.Sys.abort();
            }

            var size = *(uint*)(methodTable + 4) + ((ulong)length * *(ushort*)methodTable);
            var o = (void**)Pscmon.Sys.calloc(1, (nuint)size);
            if (o == null)
            {
                Pscmon.Sys.abort();
            }

            *o = methodTable;
            *(int*)(o + 1) = length;
            return o;
        }

        [RuntimeExport("RhpAssignRef")]
        private static void RhpAssignRef(void** destination, void* value) => *destination = value;

        [RuntimeExport("RhpCheckedAssignRef")]
        private static void RhpCheckedAssignRef(void** destination, void* value) => *destination = value;

        [RuntimeExport("RhpByRefAssignRef")]
        private static void RhpByRefAssignRef(void** destination, void** source) => *destination = *source;
    }

    internal static class ThrowHelpers
    {
        internal static void ThrowInvalidProgramException(int id) => Pscmon.Sys.abort();

        internal static void ThrowInvalidProgramExceptionWithArgument(int id, string methodName) => Pscmon.Sys.abort();

        internal static void ThrowOverflowException() => Pscmon.Sys.abort();

        internal static void ThrowIndexOutOfRangeException() => Pscmon.Sys.abort();

        internal static void ThrowDivideByZeroException() => Pscmon.Sys.abort();

        internal static void ThrowNullReferenceException() => Pscmon.Sys.abort();

        internal static void ThrowTypeLoadException(int id, string className, string typeName) => Pscmon.Sys.abort();

        internal static void ThrowTypeLoadExceptionWithArgument(int id, string className, string typeName, string argument) => Pscmon.Sys.abort();

        internal static void ThrowFeatureBodyRemoved() => Pscmon.Sys.abort();
    }

    internal static class InteropHelpers
    {
        internal static void ResolvePInvoke() => Pscmon.Sys.abort();
    }
}

namespace System.Runtime
{
    internal static class TypeCast
    {
        internal static void CheckCastAny() => Pscmon.Sys.abort();

        internal static void CheckCastInterface() => Pscmon.Sys.abort();

        internal static void CheckCastClass() => Pscmon.Sys.abort();

        internal static void CheckCastClassSpecial() => Pscmon.Sys.abort();

        internal static void IsInstanceOfAny() => Pscmon.Sys.abort();

        internal static void IsInstanceOfInterface() => Pscmon.Sys.abort();

        internal static void IsInstanceOfClass() => Pscmon.Sys.abort();

        internal static void IsInstanceOfException() => Pscmon.Sys.abort();

        internal static void StelemRef() => Pscmon.Sys.abort();

        internal static void LdelemaRef() => Pscmon.Sys.abort();
    }
}

namespace System.Runtime.InteropServices
{
    // The compiler looks this up by name; pscmon has no interfaces to cast to.
    internal static class IDynamicInterfaceCastable
    {
        internal static void GetDynamicInterfaceImplementation() => Pscmon.Sys.abort();
    }
}

namespace System
{
    internal static unsafe class SpanHelpers
    {
        internal static void Memmove(ref byte destination, ref byte source, nuint length)
        {
            fixed (byte* d = &destination)
            {
                fixed (byte* s = &source)
                {
                    Pscmon.Sys.memmove(d, s, length);
                }
            }
        }

        internal static void Fill(ref byte destination, nuint length, byte value)
        {
            fixed (byte* d = &destination)
            {
                Pscmon.Sys.memset(d, value, length);
            }
        }

        internal static void ClearWithoutReferences(ref byte destination, nuint length)
        {
            fixed (byte* d = &destination)
            {
                Pscmon.Sys.memset(d, 0, length);
            }
        }

        internal static void ClearWithReferences(ref IntPtr destination, nuint count)
        {
            fixed (IntPtr* d = &destination)
            {
                Pscmon.Sys.memset(d, 0, count * (nuint)sizeof(IntPtr));
            }
        }
    }

    internal static unsafe class Buffer
    {
        internal static void Memmove(ref byte destination, ref byte source, nuint length) => SpanHelpers.Memmove(ref destination, ref source, length);

        internal static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint length) => SpanHelpers.Memmove(ref destination, ref source, length);
    }
}
