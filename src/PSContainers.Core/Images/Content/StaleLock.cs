using PSContainers.Native;

namespace PSContainers.Core.Images.Content;

/// <summary>Finds leftovers of killed writers: a temporary file or directory whose flock nobody holds any more.</summary>
internal static class StaleLock
{
    /// <summary>Holds an exclusive flock on path for as long as the returned fd stays open (-1 if it could not).</summary>
    public static int Hold(string path, bool directory)
    {
        var fd = Libc.Open(path, (directory ? Consts.O_DIRECTORY : 0) | Consts.O_RDONLY | Consts.O_CLOEXEC | Consts.O_NOFOLLOW, 0);
        Libc.Check(fd, "open", path);
        if (Libc.Flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
        {
            var errno = Libc.LastErrno;
            Libc.Close(fd);
            throw new SyscallException("flock", path, errno);
        }

        // A cleaner may have deleted the directory between our open and our flock: then we lock a deleted inode.
        if (!SameInode(fd, path))
        {
            Libc.Close(fd);
            throw new IOException($"{path} was removed before it could be locked.");
        }

        return fd;
    }

    private static unsafe bool SameInode(int fd, string path)
    {
        var empty = stackalloc byte[1];
        empty[0] = 0;
        return LibcAt.FstatAt(fd, empty, Consts.AT_EMPTY_PATH, out var held) && LibcAt.Lstat(path, out var now)
            && held.Ino == now.Ino && held.Dev == now.Dev;
    }

    /// <summary>Deletes path when no live process holds its lock; true when it was deleted.</summary>
    public static bool TryClaim(string path, bool directory)
    {
        var fd = Libc.Open(path, (directory ? Consts.O_DIRECTORY : 0) | Consts.O_RDONLY | Consts.O_CLOEXEC | Consts.O_NOFOLLOW, 0);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            if (Libc.Flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
            {
                return false;
            }

            if (directory)
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
