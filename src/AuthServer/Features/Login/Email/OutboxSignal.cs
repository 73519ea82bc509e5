namespace AuthServer.Features.Login.Email;

/// <summary>
/// Wakes this instance's idle senders when a request has committed an email, so it leaves within
/// milliseconds instead of at the next poll. Other instances find it at their next poll.
/// </summary>
public sealed class OutboxSignal
{
    private TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes at the next <see cref="Notify"/>. A sender takes it before looking at the queue, so an
    /// email committed while it looks still wakes it.
    /// </summary>
    public Task NextNotification => Volatile.Read(ref next).Task;

    public void Notify() =>
        Interlocked.Exchange(ref next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
