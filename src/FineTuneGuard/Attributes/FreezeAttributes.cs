using System;

namespace FineTuneGuard;

/// <summary>The freeze decision of a weight member: it is never updated by an optimizer.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class FrozenAttribute : Attribute
{
}

/// <summary>The freeze decision of a weight member: it is trained.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class TrainableAttribute : Attribute
{
}

/// <summary>The frozen reference policy of a preference objective (DPO and variants). It must also be <see cref="FrozenAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class ReferenceModelAttribute : Attribute
{
}
