using AuthServer.Features.Admin;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthServer.Features.Webhooks;

public static class WebhookAdminEndpoints
{
    public static RouteGroupBuilder MapWebhookAdmin(this RouteGroupBuilder admin)
    {
        admin.MapPost("/organizations/{id:guid}/webhooks", CreateAsync).WithTags("Webhooks").WithName("CreateWebhookEndpoint")
            .WithSummary("Adds a webhook endpoint subscribed to event types; the response carries its signing secret (whsec_...), shown this once.");
        admin.MapGet("/organizations/{id:guid}/webhooks", ListAsync).WithTags("Webhooks").WithName("ListWebhookEndpoints")
            .WithSummary("Lists the organization's webhook endpoints, oldest first.");
        admin.MapGet("/webhooks/{id:guid}", GetAsync).WithTags("Webhooks").WithName("GetWebhookEndpoint").WithSummary("Gets a webhook endpoint.");
        admin.MapPatch("/webhooks/{id:guid}", UpdateAsync).WithTags("Webhooks").WithName("UpdateWebhookEndpoint")
            .WithSummary("Changes URL, description, event types or enabled; absent fields stay as they are. Enabling clears the failure count.");
        admin.MapDelete("/webhooks/{id:guid}", DeleteAsync).WithTags("Webhooks").WithName("DeleteWebhookEndpoint")
            .WithSummary("Deletes a webhook endpoint with its deliveries.");
        admin.MapPost("/webhooks/{id:guid}/rotate_secret", RotateSecretAsync).WithTags("Webhooks").WithName("RotateWebhookSecret")
            .WithSummary("Issues a new signing secret, shown this once; the old one stops signing at once.");
        admin.MapGet("/webhooks/{id:guid}/deliveries", ListDeliveriesAsync).WithTags("Webhooks").WithName("ListWebhookDeliveries")
            .WithSummary("Lists the endpoint's deliveries, newest first: status, attempts, last answer code and duration, next attempt.");
        admin.MapGet("/webhook_deliveries/{id:guid}/attempts", ListAttemptsAsync).WithTags("Webhooks").WithName("ListWebhookAttempts")
            .WithSummary("Lists every attempt of a delivery, oldest first: outcome, answer code, duration, error.");
        admin.MapPost("/webhook_deliveries/{id:guid}/resend", ResendAsync).WithTags("Webhooks").WithName("ResendWebhookDelivery")
            .WithSummary("Sends a delivery again now (same webhook-id, fresh retry schedule).");
        return admin;
    }

    private static async Task<Results<Created<WebhookSecretView>, AdminError>> CreateAsync(
        Guid id, WebhookEndpointRequest? body, AdminCaller caller, WebhookAdmin webhooks, CancellationToken cancellationToken) =>
        (await webhooks.CreateAsync(caller, id, body, cancellationToken))
            .Respond(created => TypedResults.Created($"/api/v1/admin/webhooks/{created.Endpoint.Id}", created));

    private static async Task<Results<Ok<Page<WebhookEndpointView>>, AdminError>> ListAsync(
        Guid id, [AsParameters] PageQuery page, AdminCaller caller, WebhookAdmin webhooks, CancellationToken cancellationToken) =>
        (await webhooks.ListAsync(caller, id, page, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<WebhookEndpointView>, AdminError>> GetAsync(
        Guid id, AdminCaller caller, WebhookAdmin webhooks, CancellationToken cancellationToken) =>
        (await webhooks.GetAsync(caller, id, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<WebhookEndpointView>, AdminError>> UpdateAsync(
        Guid id, WebhookEndpointRequest? body, AdminCaller caller, WebhookAdmin webhooks, CancellationToken cancellationToken) =>
        (await webhooks.UpdateAsync(caller, id, body, cancellationToken)).RespondOk();

    private static async Task<Results<NoContent, AdminError>> DeleteAsync(
        Guid id, AdminCaller caller, WebhookAdmin webhooks, CancellationToken cancellationToken) =>
        (await webhooks.DeleteAsync(caller, id, cancellationToken)).RespondNoContent();

    private static async Task<Results<Ok<WebhookSecretView>, AdminError>> RotateSecretAsync(
        Guid id, AdminCaller caller, WebhookAdmin webhooks, CancellationToken cancellationToken) =>
        (await webhooks.RotateSecretAsync(caller, id, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<Page<WebhookDeliveryView>>, AdminError>> ListDeliveriesAsync(
        Guid id, [AsParameters] PageQuery page, AdminCaller caller, WebhookAdmin webhooks, CancellationToken cancellationToken) =>
        (await webhooks.ListDeliveriesAsync(caller, id, page, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<IReadOnlyList<WebhookAttemptView>>, AdminError>> ListAttemptsAsync(
        Guid id, AdminCaller caller, WebhookAdmin webhooks, CancellationToken cancellationToken) =>
        (await webhooks.ListAttemptsAsync(caller, id, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<WebhookDeliveryView>, AdminError>> ResendAsync(
        Guid id, AdminCaller caller, WebhookAdmin webhooks, CancellationToken cancellationToken) =>
        (await webhooks.ResendAsync(caller, id, cancellationToken)).RespondOk();
}
