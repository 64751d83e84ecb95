@{
    RootModule           = 'PSContainers.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0c7a4e-3f1d-4c9b-9e62-8d2a1f6c4b17'
    Author               = 'PSContainers contributors'
    Description          = 'A Linux container engine for PowerShell: containers, images, networks and volumes as pipeline objects.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('module/PSContainers.Format.ps1xml')
    TypesToProcess       = @('module/PSContainers.Types.ps1xml')
    CmdletsToExport      = '*'
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('containers', 'oci', 'linux')
        }
    }
}
