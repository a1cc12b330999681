"""Load balancer deletion protection (docs/moto.md).

moto 5.2.5 stores the `deletion_protection.enabled` attribute of an
Application Load Balancer and ignores it: DeleteLoadBalancer deletes a
protected load balancer, and so does CloudFormation's stack delete. AWS
refuses: DeleteLoadBalancer answers `OperationNotPermitted` ("Load balancer
'ARN' cannot be deleted because deletion protection is enabled",
https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteLoadBalancer.html,
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#deletion-protection),
and a stack delete then fails on that resource (DELETE_FAILED with the
reason, the stack DELETE_FAILED; the other resources are deleted,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-delete-stack-fails).

Here the backend's delete_load_balancer refuses with that error; the stack
delete goes through the same call, so moto_ext's DELETE_FAILED handling
(a resource that cannot be deleted leaves the stack DELETE_FAILED with the
reason) applies.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    from moto.elbv2.exceptions import ELBClientError
    from moto.elbv2.models import ELBv2Backend

    class OperationNotPermitted(ELBClientError):
        def __init__(self, arn: str) -> None:
            super().__init__(
                "OperationNotPermitted",
                f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled",
            )

    original = ELBv2Backend.delete_load_balancer

    def delete_load_balancer(self: Any, arn: str) -> None:
        lb = self.load_balancers.get(arn)
        if lb is not None and str(lb.attrs.get("deletion_protection.enabled", "false")).lower() == "true":
            raise OperationNotPermitted(arn)
        return original(self, arn)

    ELBv2Backend.delete_load_balancer = delete_load_balancer  # type: ignore[method-assign]

    # moto's stack delete retries what it could not delete and raises the
    # last error it saw: with a protected load balancer left, that is the
    # VPC's or a subnet's DependencyViolation. AWS names the resource that
    # failed and why: the protected load balancer's refusal is the reason.
    from moto.cloudformation.parsing import ResourceMap

    original_delete = ResourceMap.delete

    def delete(self: Any) -> None:
        refused: list[tuple[str, Exception]] = []
        original_one = self._delete_resource

        def one(parsed_resource: Any, resource_json: dict[str, Any]) -> None:
            try:
                original_one(parsed_resource, resource_json)
            except OperationNotPermitted as e:
                refused.append((getattr(parsed_resource, "logical_resource_id", "?"), e))
                raise

        self._delete_resource = one
        try:
            original_delete(self)
        except Exception:
            if refused:
                logical_id, e = refused[-1]
                raise OperationNotPermitted(e.message.split("'")[1]) from None
            raise
        finally:
            del self._delete_resource

    ResourceMap.delete = delete  # type: ignore[method-assign]
