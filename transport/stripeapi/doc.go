// Package stripeapi is humd's edge to Stripe: the billing Provider on
// stripe-go (customers, Checkout Sessions in subscription mode, Billing
// Portal sessions, meter events; its backend pointed at STRIPE_API_BASE
// when set, which is how tests reach stripe-mock), the signed webhook
// POST /stripe/webhook (checked with stripe-go's webhook package and
// decoded to storage/billing.Event), and the sandbox provider, which
// serves its own checkout and portal pages and sends itself the events
// Stripe would, signed, through the same webhook code.
package stripeapi
