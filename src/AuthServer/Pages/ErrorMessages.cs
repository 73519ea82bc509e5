namespace AuthServer.Pages;

/// <summary>
/// The marker type of the error messages a person may read on a page, in Dutch (<c>ErrorMessages.nl.resx</c>) and
/// German (<c>ErrorMessages.de.resx</c>). Unlike <see cref="PageStrings"/>, the key is the English message itself
/// (the catalog's description, or the message a service gave its <c>AuthError</c>), so the JSON API keeps its
/// English text and a page looks the same text up in its language; a message without a translation stays English.
/// <c>ErrorMessageResourceTests</c> finds every message the sign-in features can show and checks both files have it.
/// </summary>
public sealed class ErrorMessages;
