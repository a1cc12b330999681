"""Amazon DocumentDB on the harness (tests/moto/ext_docdb.py), through boto3's
``docdb`` client (signed as ``rds``) and CloudFormation.

    .venv/bin/python -m pytest -q tests/moto/test_tiers_docdb.py
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tiers_support import aws, create, delete, endpoint, outputs, physical_ids, stack, template, update, vpc_resources  # noqa: F401

STACK = "tiers-docdb"


def docdb_template(
    instance_class: str = "db.r6g.large",
    instances: int = 2,
    retention: int = 7,
    subnet_group_name: str = "tiers-docdb-a",
    deletion_protection: bool = False,
    tls: str = "enabled",
) -> dict[str, Any]:
    r = vpc_resources("10.41.0.0/16")
    r["Key"] = {"Type": "AWS::KMS::Key", "Properties": {"Description": "docdb", "KeyPolicy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}}, "Action": "kms:*", "Resource": "*"}]}}}
    r["SubnetGroup"] = {
        "Type": "AWS::DocDB::DBSubnetGroup",
        "Properties": {
            "DBSubnetGroupName": subnet_group_name,
            "DBSubnetGroupDescription": "docdb subnets",
            "SubnetIds": [{"Ref": "Subnet1"}, {"Ref": "Subnet2"}],
        },
    }
    r["ParameterGroup"] = {
        "Type": "AWS::DocDB::DBClusterParameterGroup",
        "Properties": {"Description": "tls", "Family": "docdb5.0", "Parameters": {"tls": tls, "audit_logs": "enabled"}},
    }
    r["Cluster"] = {
        "Type": "AWS::DocDB::DBCluster",
        "Properties": {
            "EngineVersion": "5.0.0",
            "MasterUsername": "streamscale",
            "ManageMasterUserPassword": True,
            "DBSubnetGroupName": {"Ref": "SubnetGroup"},
            "DBClusterParameterGroupName": {"Ref": "ParameterGroup"},
            "VpcSecurityGroupIds": [{"Ref": "SecurityGroup"}],
            "StorageEncrypted": True,
            "KmsKeyId": {"Ref": "Key"},
            "DeletionProtection": deletion_protection,
            "BackupRetentionPeriod": retention,
            "EnableCloudwatchLogsExports": ["audit"],
        },
    }
    for n in range(1, instances + 1):
        r[f"Instance{n}"] = {
            "Type": "AWS::DocDB::DBInstance",
            "Properties": {
                "DBClusterIdentifier": {"Ref": "Cluster"},
                "DBInstanceClass": instance_class,
                "AvailabilityZone": f"eu-west-1{'ab'[(n - 1) % 2]}",
            },
        }
    return {
        "resources": r,
        "outputs": {
            "Endpoint": {"Fn::GetAtt": ["Cluster", "Endpoint"]},
            "ReadEndpoint": {"Fn::GetAtt": ["Cluster", "ReadEndpoint"]},
            "Port": {"Fn::GetAtt": ["Cluster", "Port"]},
            "ClusterResourceId": {"Fn::GetAtt": ["Cluster", "ClusterResourceId"]},
            "Instance1Endpoint": {"Fn::GetAtt": ["Instance1", "Endpoint"]},
            "Instance1Port": {"Fn::GetAtt": ["Instance1", "Port"]},
        },
    }


def global_cluster(aws: Any, ident: str) -> dict[str, Any] | None:
    found = [g for g in aws.docdb.describe_global_clusters()["GlobalClusters"] if g["GlobalClusterIdentifier"] == ident]
    return found[0] if found else None


def body(**kwargs: Any) -> str:
    t = docdb_template(**kwargs)
    return template(t["resources"], t["outputs"])


def test_docdb_api_accepts_the_docdb_engine_with_documentdb_defaults(aws: Any) -> None:
    """moto's RDS backend accepts Engine=docdb (CreateDBCluster,
    CreateDBInstance, CreateGlobalCluster) with DocumentDB's defaults: port
    27017, engine version 5.0.0, parameter group default.docdb5.0; an engine
    version DocumentDB does not offer is refused.

    https://docs.aws.amazon.com/documentdb/latest/developerguide/API_CreateDBCluster.html
    https://docs.aws.amazon.com/documentdb/latest/developerguide/db-cluster-parameters.html
    """
    docdb = aws.docdb
    cluster = docdb.create_db_cluster(
        DBClusterIdentifier="api-docdb", Engine="docdb", MasterUsername="u", MasterUserPassword="password123"
    )["DBCluster"]
    assert cluster["Port"] == 27017
    assert cluster["EngineVersion"] == "5.0.0"
    assert cluster["DBClusterParameterGroup"] == "default.docdb5.0"
    assert cluster["Endpoint"].endswith(".eu-west-1.docdb.amazonaws.com")
    instance = docdb.create_db_instance(
        DBInstanceIdentifier="api-docdb-1", DBInstanceClass="db.r6g.large", Engine="docdb", DBClusterIdentifier="api-docdb"
    )["DBInstance"]
    assert instance["Endpoint"]["Port"] == 27017
    members = docdb.describe_db_clusters(DBClusterIdentifier="api-docdb")["DBClusters"][0]["DBClusterMembers"]
    assert [m["DBInstanceIdentifier"] for m in members] == ["api-docdb-1"]

    with pytest.raises(ClientError) as err:
        docdb.create_db_cluster(
            DBClusterIdentifier="api-docdb-bad", Engine="docdb", EngineVersion="6.0.0", MasterUsername="u", MasterUserPassword="password123"
        )
    assert err.value.response["Error"]["Code"] == "InvalidParameterCombination"
    with pytest.raises(ClientError) as err:
        docdb.create_db_cluster(DBClusterIdentifier="api-docdb-nopw", Engine="docdb", MasterUsername="u")
    assert "MasterUserPassword" in err.value.response["Error"]["Message"]

    # a global cluster (HTTP 500 on plain moto 5.2.5), with a secondary in another region
    gc = docdb.create_global_cluster(GlobalClusterIdentifier="api-global", Engine="docdb")["GlobalCluster"]
    assert gc["Engine"] == "docdb" and gc["EngineVersion"] == "5.0.0"
    docdb.create_db_cluster(
        DBClusterIdentifier="api-primary", Engine="docdb", MasterUsername="u", MasterUserPassword="password123", GlobalClusterIdentifier="api-global"
    )
    aws.region("us-east-1").docdb.create_db_cluster(DBClusterIdentifier="api-secondary", Engine="docdb", GlobalClusterIdentifier="api-global")
    members = global_cluster(aws, "api-global")["GlobalClusterMembers"]
    assert [m["IsWriter"] for m in members] == [True, False]

    docdb.delete_db_instance(DBInstanceIdentifier="api-docdb-1")
    docdb.delete_db_cluster(DBClusterIdentifier="api-docdb", SkipFinalSnapshot=True)


def test_docdb_stack_create_read_update_delete(aws: Any) -> None:
    """AWS::DocDB::DBSubnetGroup / DBClusterParameterGroup / DBCluster /
    DBInstance on moto's RDS backend.  Replacement rules of the CloudFormation
    resource reference: DBInstanceClass, BackupRetentionPeriod, parameters
    update in place ("No interruption" / "Some interruptions"); a changed
    DBSubnetGroupName replaces the subnet group, hence the cluster and its
    instances ("Update requires: Replacement").  GetAtt Endpoint, ReadEndpoint,
    Port, ClusterResourceId on the cluster and Endpoint, Port on an instance.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-docdb-dbcluster.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-docdb-dbinstance.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-docdb-dbsubnetgroup.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-docdb-dbclusterparametergroup.html
    """
    docdb = aws.docdb
    create(aws, STACK, body())
    ids = physical_ids(aws, STACK)
    out = outputs(aws, STACK)
    cluster = docdb.describe_db_clusters(DBClusterIdentifier=ids["Cluster"])["DBClusters"][0]
    assert cluster["Engine"] == "docdb" and cluster["Port"] == 27017 and out["Port"] == "27017"
    assert out["Endpoint"] == cluster["Endpoint"] and out["ReadEndpoint"] == cluster["ReaderEndpoint"]
    assert out["ClusterResourceId"] == cluster["DbClusterResourceId"]
    assert cluster["StorageEncrypted"] is True and cluster["KmsKeyId"].endswith(ids["Key"])
    assert cluster["DBSubnetGroup"] == "tiers-docdb-a"
    assert cluster["DBClusterParameterGroup"] == ids["ParameterGroup"]
    assert cluster["BackupRetentionPeriod"] == 7
    assert cluster["EnabledCloudwatchLogsExports"] == ["audit"]
    # the managed master password lives in Secrets Manager, never in the template
    secret_arn = cluster["MasterUserSecret"]["SecretArn"]
    assert aws.secretsmanager.get_secret_value(SecretId=secret_arn)["SecretString"]
    params = docdb.describe_db_cluster_parameters(DBClusterParameterGroupName=ids["ParameterGroup"])["Parameters"]
    assert {p["ParameterName"]: p["ParameterValue"] for p in params}["tls"] == "enabled"
    instances = docdb.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": [ids["Cluster"]]}])["DBInstances"]
    assert sorted(i["DBInstanceIdentifier"] for i in instances) == sorted([ids["Instance1"], ids["Instance2"]])
    assert {i["DBInstanceClass"] for i in instances} == {"db.r6g.large"}
    assert out["Instance1Endpoint"].endswith(".docdb.amazonaws.com") and out["Instance1Port"] == "27017"

    # in place: instance class, a third instance, retention, a parameter
    update(aws, STACK, body(instance_class="db.r6g.xlarge", instances=3, retention=14, tls="disabled"))
    after = physical_ids(aws, STACK)
    assert after["Cluster"] == ids["Cluster"] and after["Instance1"] == ids["Instance1"]
    cluster = docdb.describe_db_clusters(DBClusterIdentifier=ids["Cluster"])["DBClusters"][0]
    assert cluster["BackupRetentionPeriod"] == 14 and len(cluster["DBClusterMembers"]) == 3
    instances = docdb.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": [ids["Cluster"]]}])["DBInstances"]
    assert {i["DBInstanceClass"] for i in instances} == {"db.r6g.xlarge"}
    params = docdb.describe_db_cluster_parameters(DBClusterParameterGroupName=ids["ParameterGroup"])["Parameters"]
    assert {p["ParameterName"]: p["ParameterValue"] for p in params}["tls"] == "disabled"

    # replacement: a new subnet group name -> new subnet group, new cluster, new instances
    update(aws, STACK, body(subnet_group_name="tiers-docdb-b"))
    replaced = physical_ids(aws, STACK)
    assert replaced["Cluster"] != ids["Cluster"] and replaced["Instance1"] != ids["Instance1"]
    clusters = {c["DBClusterIdentifier"]: c for c in docdb.describe_db_clusters()["DBClusters"]}
    assert ids["Cluster"] not in clusters and clusters[replaced["Cluster"]]["DBSubnetGroup"] == "tiers-docdb-b"
    groups = [g["DBSubnetGroupName"] for g in docdb.describe_db_subnet_groups()["DBSubnetGroups"]]
    assert "tiers-docdb-b" in groups and "tiers-docdb-a" not in groups
    assert "Instance3" not in replaced

    delete(aws, STACK)
    clusters = [c["DBClusterIdentifier"] for c in docdb.describe_db_clusters()["DBClusters"]]
    assert replaced["Cluster"] not in clusters
    assert "tiers-docdb-b" not in [g["DBSubnetGroupName"] for g in docdb.describe_db_subnet_groups()["DBSubnetGroups"]]


def test_docdb_deletion_protection_blocks_the_stack_delete(aws: Any) -> None:
    """A cluster with DeletionProtection cannot be deleted: the stack delete
    ends in DELETE_FAILED (the instances are gone, the cluster stays).  Once
    protection is turned off (ModifyDBCluster), deleting the stack again
    succeeds.

    https://docs.aws.amazon.com/documentdb/latest/developerguide/db-cluster-delete.html#db-cluster-deletion-protection
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-delete-stack-fails
    """
    name = "tiers-docdb-protected"
    create(aws, name, body(subnet_group_name="tiers-docdb-p", deletion_protection=True, instances=1))
    cluster_id = physical_ids(aws, name)["Cluster"]
    aws.cloudformation.delete_stack(StackName=name)
    assert stack(aws, name)["StackStatus"] == "DELETE_FAILED"
    assert aws.docdb.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]["DeletionProtection"] is True
    aws.docdb.modify_db_cluster(DBClusterIdentifier=cluster_id, DeletionProtection=False, ApplyImmediately=True)
    delete(aws, name)
    assert cluster_id not in [c["DBClusterIdentifier"] for c in aws.docdb.describe_db_clusters()["DBClusters"]]


def test_docdb_global_cluster_stack(aws: Any) -> None:
    """AWS::DocDB::GlobalCluster with a primary cluster in this stack and a
    secondary cluster (no master user: it replicates) in another region's
    stack; DeletionProtection updates in place; a global cluster with members
    cannot be deleted (the primary stack's delete fails until the secondary is
    gone).

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-docdb-globalcluster.html
    https://docs.aws.amazon.com/documentdb/latest/developerguide/global-clusters.html
    """
    primary = {
        "Global": {"Type": "AWS::DocDB::GlobalCluster", "Properties": {"GlobalClusterIdentifier": "streamscale-global", "Engine": "docdb", "EngineVersion": "5.0.0", "StorageEncrypted": True}},
        "Cluster": {"Type": "AWS::DocDB::DBCluster", "Properties": {"GlobalClusterIdentifier": {"Ref": "Global"}, "MasterUsername": "u", "ManageMasterUserPassword": True, "StorageEncrypted": True}},
    }
    create(aws, "tiers-docdb-global", template(primary))
    east = aws.region("us-east-1")
    secondary = {"Cluster": {"Type": "AWS::DocDB::DBCluster", "Properties": {"GlobalClusterIdentifier": "streamscale-global", "StorageEncrypted": True}}}
    create(east, "tiers-docdb-secondary", template(secondary))
    gc = global_cluster(aws, "streamscale-global")
    assert gc["Engine"] == "docdb" and len(gc["GlobalClusterMembers"]) == 2
    assert [m["IsWriter"] for m in gc["GlobalClusterMembers"]] == [True, False]

    protected = copy.deepcopy(primary)
    protected["Global"]["Properties"]["DeletionProtection"] = True
    update(aws, "tiers-docdb-global", template(protected))
    assert global_cluster(aws, "streamscale-global")["DeletionProtection"] is True
    update(aws, "tiers-docdb-global", template(primary))

    aws.cloudformation.delete_stack(StackName="tiers-docdb-global")
    assert stack(aws, "tiers-docdb-global")["StackStatus"] == "DELETE_FAILED"
    delete(east, "tiers-docdb-secondary")
    delete(aws, "tiers-docdb-global")
    assert global_cluster(aws, "streamscale-global") is None


def test_docdb_refuses_what_it_does_not_model(aws: Any) -> None:
    """A restore property is not modelled: the create fails loudly
    (ROLLBACK_COMPLETE with the reason) instead of creating an empty cluster."""
    bad = {"Cluster": {"Type": "AWS::DocDB::DBCluster", "Properties": {"SnapshotIdentifier": "snap", "MasterUsername": "u", "MasterUserPassword": "password123"}}}
    aws.cloudformation.create_stack(StackName="tiers-docdb-bad", TemplateBody=template(bad))
    assert stack(aws, "tiers-docdb-bad")["StackStatus"] == "ROLLBACK_COMPLETE"
    events = aws.cloudformation.describe_stack_events(StackName="tiers-docdb-bad")["StackEvents"]
    assert any("SnapshotIdentifier" in (e.get("ResourceStatusReason") or "") for e in events)
