// Package svcbase is what every area of the front door (actors/service and
// its area packages) is built from: Deps, the repositories, actor doors and
// settings app wires, and the principal checks (Need, NeedSiteAdmin) each
// operation makes first. It holds no operation itself, so an area package
// imports it and not the facade, and the facade imports the areas.
//
// Concurrency: Deps is read-only after app builds it; the checks are pure.
package svcbase
