namespace PSContainers.Runtime.Processes.Plan;

/// <summary>When a plan step runs relative to the outcome of the step before it.</summary>
[Flags]
internal enum PlanOpFlags
{
    None = 0,
    // Run only if the previous step failed with one of its tolerated errnos (a fallback).
    IfPreviousTolerated = 1,
    // Run only if the previous step succeeded.
    IfPreviousSucceeded = 2,
}
